import Foundation
import GRDB
import TocsinCore

/// Events API v2 intake (`POST /v2/enqueue`), with PagerDuty's dedup semantics:
///
/// - `trigger` with the dedup key of an open incident folds into it (`.merged`, a timeline line,
///   no announcement); otherwise it opens a new incident (`.opened`, a `triggered` event). Urgency
///   follows ``Severity/defaultUrgency``; without a severity the incident is high urgency.
/// - `acknowledge` / `resolve` act on the open incident holding the key (`.updated`, an event when the
///   status changed) and are accepted without effect when no open incident has it (`.ignored`).
///
/// Once resolved, an incident releases its key: the next trigger with it opens a new incident.
extension EmbeddedIncidentStore {
    public func enqueue(_ event: AlertEvent) async throws -> AlertEventOutcome {
        guard let service = directory.service(named: event.service) else { throw IncidentServiceError.unknownService(event.service) }
        guard event.dedupKey.count <= Self.maximumDedupKeyLength else {
            throw IncidentServiceError.invalidArgument("dedup_key is longer than \(Self.maximumDedupKeyLength) characters")
        }
        let source = event.source.flatMap { $0.isEmpty ? nil : $0 } ?? "the Events API"
        let at = now()
        switch event.action {
        case .trigger:
            let summary = (event.summary ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !summary.isEmpty else { throw IncidentServiceError.invalidArgument("payload.summary is required for a trigger") }
            // The Events API generates a key when a trigger has none.
            let dedupKey = event.dedupKey.isEmpty ? UUID().uuidString.lowercased() : event.dedupKey
            let (outcome, change) = try await write { db -> (AlertEventOutcome, RecordedChange?) in
                if var existing = try self.openIncident(db, dedupKey: dedupKey) {
                    existing.updatedAt = at
                    try existing.update(db)
                    var entry = TimelineRow(incidentNumber: existing.number ?? 0, at: at, actor: nil, kind: TimelineRow.mergedKind,
                                            summary: "Alert from \(source) received again: \(summary.prefix(200))", detail: nil)
                    try entry.insert(db)
                    return (.merged(existing.incident(urlBase: self.urlBase)), nil)
                }
                var row = self.newIncident(service: service, title: summary, urgency: event.severity?.defaultUrgency ?? .high,
                                           severity: event.severity, dedupKey: dedupKey, source: event.source,
                                           component: event.component, at: at)
                let change = try self.insertIncident(db, &row, actor: nil, summary: "Triggered by an alert from \(source)", at: at)
                return (.opened(change.incident), change)
            }
            await publish(change.map { [$0] } ?? [])
            return outcome
        case .acknowledge, .resolve:
            guard !event.dedupKey.isEmpty else {
                throw IncidentServiceError.invalidArgument("dedup_key is required to \(event.action.rawValue)")
            }
            let target: IncidentStatus = event.action == .acknowledge ? .acknowledged : .resolved
            let (outcome, change) = try await write { db -> (AlertEventOutcome, RecordedChange?) in
                guard var row = try self.openIncident(db, dedupKey: event.dedupKey) else { return (.ignored, nil) }
                guard row.status != target else { return (.updated(row.incident(urlBase: self.urlBase)), nil) }
                let change = try self.move(db, &row, to: target, actor: nil, via: source, at: at)
                return (.updated(change.incident), change)
            }
            await publish(change.map { [$0] } ?? [])
            return outcome
        }
    }

    private func openIncident(_ db: Database, dedupKey: String) throws -> IncidentRow? {
        try IncidentRow
            .filter(IncidentRow.Columns.dedupKey == dedupKey && IncidentRow.Columns.status != IncidentStatus.resolved.rawValue)
            .fetchOne(db)
    }
}
