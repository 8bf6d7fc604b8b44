import Foundation
import GRDB
import TocsinCore

/// Reads the embedded store's tables (`incident_incidents`, `incident_notes`,
/// `incident_timeline`) for the pages, read-only, on the same database pool: lists with filters
/// and paging need queries the chat-sized ``IncidentService`` API does not offer, and the page's
/// times (acknowledged, resolved) come from the timeline's `kind` column.
public struct EmbeddedIncidentCatalog: IncidentCatalog {
    let database: any DatabaseReader
    /// `gateway.public_url`, for each incident's own link.
    let publicURL: String?

    public init(database: any DatabaseReader, publicURL: String?) {
        self.database = database
        self.publicURL = publicURL
    }

    public func incidents(matching query: IncidentQuery, limit: Int) async throws -> [Incident] {
        try await database.read { db in
            var clauses: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let statuses = query.statuses, !statuses.isEmpty {
                clauses.append("status IN (\(statuses.map { _ in "?" }.joined(separator: ", ")))")
                arguments += statuses.map(\.rawValue).sorted()
            }
            if let service = query.service { clauses.append("service = ?"); arguments.append(service) }
            if let team = query.team { clauses.append("team = ?"); arguments.append(team) }
            let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            arguments.append(limit)
            return try Row.fetchAll(db, sql: "SELECT * FROM incident_incidents \(filter) ORDER BY number DESC LIMIT ?",
                                    arguments: StatementArguments(arguments)).map(incident)
        }
    }

    public func record(of number: Int) async throws -> IncidentRecord? {
        try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM incident_incidents WHERE number = ?", arguments: [number]) else {
                return nil
            }
            let notes = try Row.fetchAll(db, sql: "SELECT author, content, createdAt FROM incident_notes WHERE incidentNumber = ? ORDER BY id",
                                         arguments: [number]).map { note in
                IncidentNote(author: note["author"], content: note["content"], createdAt: Self.date(note["createdAt"]))
            }
            let events = try Row.fetchAll(db, sql: "SELECT at, actor, kind, summary, detail FROM incident_timeline WHERE incidentNumber = ? ORDER BY id",
                                          arguments: [number]).map { entry in
                let kind: String = entry["kind"], summary: String = entry["summary"], detail: String? = entry["detail"]
                // A note's text is its detail: "Added a note: rolled back".
                let text = kind == IncidentEventKind.annotated.rawValue ? detail.map { "\(summary): \($0)" } ?? summary : summary
                return IncidentHistoryEvent(at: Self.date(entry["at"]), actor: entry["actor"], kind: kind, summary: text)
            }
            return IncidentRecord(incident: incident(row), notes: notes, events: events)
        }
    }

    private func incident(_ row: Row) -> Incident {
        let number: Int = row["number"]
        let severity: String? = row["severity"]
        return Incident(
            number: number, id: "\(number)", title: row["title"], service: row["service"], team: row["team"],
            urgency: Urgency(rawValue: row["urgency"]) ?? .high, severity: severity.flatMap(Severity.init(rawValue:)),
            status: IncidentStatus(rawValue: row["status"]) ?? .triggered, assignee: row["assignee"],
            escalationLevel: row["escalationLevel"], createdAt: Self.date(row["createdAt"]), updatedAt: Self.date(row["updatedAt"]),
            snoozedUntil: (row["snoozedUntil"] as DatabaseValue).isNull ? nil : Self.date(row["snoozedUntil"]),
            url: publicURL.map { "\($0)/incidents/\(number)" })
    }

    /// Dates are seconds since 1970 (`incident_v2_epoch_dates`).
    static func date(_ value: DatabaseValue) -> Date {
        if let seconds = Double.fromDatabaseValue(value) { return Date(timeIntervalSince1970: seconds) }
        return Date.fromDatabaseValue(value) ?? Date(timeIntervalSince1970: 0)
    }
}
