import TocsinCore

/// Times every incident API call for `/metrics` (`tocsin_incident_api_call_duration_seconds`),
/// around whichever backend is configured, so neither backend carries metrics code.
struct InstrumentedIncidentService: IncidentService {
    var base: any IncidentService
    var observer: any IncidentAPIObserver

    var backendName: String { base.backendName }
    var supportedCommands: Set<CommandName> { base.supportedCommands }

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

    func acknowledge(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome] {
        try await timed("acknowledge") { try await base.acknowledge(numbers, by: actor) }
    }

    func resolve(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome] {
        try await timed("resolve") { try await base.resolve(numbers, by: actor) }
    }

    func addNote(to number: Int, content: String, by actor: Actor) async throws -> Incident {
        try await timed("add_note") { try await base.addNote(to: number, content: content, by: actor) }
    }

    func openIncidents(limit: Int) async throws -> IncidentPage {
        try await timed("open_incidents") { try await base.openIncidents(limit: limit) }
    }

    func details(of number: Int) async throws -> IncidentDetails {
        try await timed("details") { try await base.details(of: number) }
    }

    func trigger(service: String, title: String, by actor: Actor) async throws -> Incident {
        try await timed("trigger") { try await base.trigger(service: service, title: title, by: actor) }
    }

    func onCall(name: String?) async throws -> [OnCallEntry] {
        try await timed("on_call") { try await base.onCall(name: name) }
    }

    func reassign(_ number: Int, to user: String, by actor: Actor) async throws -> Incident {
        try await timed("reassign") { try await base.reassign(number, to: user, by: actor) }
    }

    func escalate(_ number: Int, toLevel level: Int?, by actor: Actor) async throws -> Incident {
        try await timed("escalate") { try await base.escalate(number, toLevel: level, by: actor) }
    }

    func snooze(_ number: Int, for seconds: Int, by actor: Actor) async throws -> Incident {
        try await timed("snooze") { try await base.snooze(number, for: seconds, by: actor) }
    }
}
