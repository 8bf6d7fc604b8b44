import TocsinCore

/// Times the issue-12 reads (`!incidents`, `!incidents mine`, `!ack` alone, "already acknowledged
/// by…") for `/metrics` like every other incident API call: the lists count as `open_incidents`,
/// the lookup of who changed an incident as `last_change`.
struct InstrumentedIncidentQueries: IncidentQueries {
    var base: any IncidentQueries
    var observer: any IncidentAPIObserver

    private func timed<T: Sendable>(_ operation: String, _ call: () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        do {
            let value = try await call()
            observer.apiCallFinished(operation, succeeded: true, duration: .now - started)
            return value
        } catch {
            observer.apiCallFinished(operation, succeeded: false, duration: .now - started)
            throw error
        }
    }

    func incidents(in statuses: Set<IncidentStatus>, assignedTo assignee: Actor?, limit: Int) async throws -> OpenIncidentList {
        try await timed("open_incidents") { try await base.incidents(in: statuses, assignedTo: assignee, limit: limit) }
    }

    func lastChange(of number: Int, to status: IncidentStatus) async throws -> IncidentChangeRecord? {
        try await timed("last_change") { try await base.lastChange(of: number, to: status) }
    }
}
