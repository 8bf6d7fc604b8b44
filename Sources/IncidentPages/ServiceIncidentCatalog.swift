import Foundation
import TocsinCore

/// Incidents read through the backend's ``IncidentService`` (PagerDuty): the open incidents for
/// the list, `details` for one incident, and the platform's own history (PagerDuty's
/// `GET /incidents/{id}/log_entries`) when ``history`` is given.
public struct ServiceIncidentCatalog: IncidentCatalog {
    let service: any IncidentService
    let history: (@Sendable (Incident) async throws -> [IncidentHistoryEvent])?

    public init(service: any IncidentService, history: (@Sendable (Incident) async throws -> [IncidentHistoryEvent])? = nil) {
        self.service = service
        self.history = history
    }

    public var linksToPlatform: Bool { true }

    public func incidents(matching query: IncidentQuery, limit: Int) async throws -> [Incident] {
        // The chat API lists open incidents only; resolved ones are reached by number.
        try await service.openIncidents(limit: min(limit, 100)).incidents
            .filter { query.statuses?.contains($0.status) ?? true }
            .filter { query.service == nil || $0.service == query.service }
            .filter { query.team == nil || $0.team == query.team }
            .sorted { $0.number > $1.number }
    }

    public func record(of number: Int) async throws -> IncidentRecord? {
        let details: IncidentDetails
        do {
            details = try await service.details(of: number)
        } catch IncidentServiceError.notFound {
            return nil
        }
        let events = try await history?(details.incident)
            ?? details.timeline.map { IncidentHistoryEvent(at: $0.at, actor: $0.actor, kind: "", summary: $0.summary) }
        return IncidentRecord(incident: details.incident, notes: details.notes, events: events.sorted { $0.at < $1.at })
    }
}
