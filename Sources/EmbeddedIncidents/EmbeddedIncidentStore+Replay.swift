import Foundation
import GRDB
import TocsinCore

extension EmbeddedIncidentStore {
    /// The incident events recorded since `date`, oldest first, with the same ids they were
    /// published with (`embedded-<timeline row id>`).
    ///
    /// A change is committed here before it is published, and the outbox stores its announcements
    /// in a transaction of its own: a crash between the two would lose them. The gateway replays
    /// this window at start-up; the outbox keeps each (event id, room) once, so what was already
    /// stored is not announced twice. Incidents are shown as they are now.
    public func recordedEvents(since date: Date) async throws -> [IncidentEvent] {
        let urlBase = self.urlBase
        return try await database.read { db in
            let entries = try TimelineRow.filter(Column("at") >= date.timeIntervalSince1970).order(Column("id")).fetchAll(db)
            var incidents: [Int64: Incident] = [:]
            return try entries.compactMap { entry -> IncidentEvent? in
                guard let id = entry.id, let kind = IncidentEventKind(rawValue: entry.kind) else { return nil }
                if incidents[entry.incidentNumber] == nil {
                    incidents[entry.incidentNumber] = try IncidentRow.fetchOne(db, key: entry.incidentNumber)?.incident(urlBase: urlBase)
                }
                guard let incident = incidents[entry.incidentNumber] else { return nil }
                return RecordedChange(timelineID: id, kind: kind, incident: incident, actor: entry.actor, detail: entry.detail, at: entry.at).event
            }
        }
    }
}
