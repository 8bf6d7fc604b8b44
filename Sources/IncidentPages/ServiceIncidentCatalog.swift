import Foundation
import TocsinCore

/// Incidents read through the backend's ``IncidentService`` (PagerDuty): the open incidents for
/// the list, `details` for one incident, and the platform's own history (PagerDuty's
/// `GET /incidents/{id}/log_entries`) when ``history`` is given.
public struct ServiceIncidentCatalog: IncidentCatalog {
    let service: any IncidentService
    let history: (@Sendable (Incident) async throws -> [IncidentHistoryEvent])?
    /// One incident alone (PagerDuty: one `GET /incidents/{id}`), for ``activity(of:)``; without it
    /// the activity is read from ``record(of:)``, which costs the notes and the history too.
    let current: (@Sendable (Int) async throws -> Incident)?

    public init(service: any IncidentService, history: (@Sendable (Incident) async throws -> [IncidentHistoryEvent])? = nil,
                current: (@Sendable (Int) async throws -> Incident)? = nil) {
        self.service = service
        self.history = history
        self.current = current
    }

    /// The recorder asks this for every recorded line about an incident (cached 5 s): one request,
    /// not the three or four of a whole record.
    public func activity(of number: Int) async throws -> IncidentActivity? {
        guard let current else { return try await record(of: number).map(IncidentActivity.init) }
        let incident: Incident
        do {
            incident = try await current(number)
        } catch IncidentServiceError.notFound {
            return nil
        }
        return IncidentActivity(incident: incident)
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
