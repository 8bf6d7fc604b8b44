import Foundation
import GRDB
import TocsinCore

/// The reads behind issue 12's output on the embedded store: counted and per-person lists of open
/// incidents, and who last acknowledged or resolved one (from the timeline). Read transactions
/// only: the command write path is untouched.
extension EmbeddedIncidentStore: IncidentQueries {
    public func incidents(in statuses: Set<IncidentStatus>, assignedTo assignee: Actor?, limit: Int) async throws -> OpenIncidentList {
        guard limit > 0 else { throw IncidentServiceError.invalidArgument("the list limit must be positive") }
        let wanted = statuses.map(\.rawValue).sorted()
        let email = assignee?.email.lowercased()
        let (rows, total) = try await read { db -> ([IncidentRow], Int) in
            var filter = wanted.contains(IncidentRow.Columns.status)
            if let email { filter = filter && Column("assignee").lowercased == email }
            let request = IncidentRow.filter(filter)
            let total = try request.fetchCount(db)
            let rows = try request.order(IncidentRow.Columns.number.desc).limit(limit).fetchAll(db)
            return (rows, total)
        }
        return OpenIncidentList(incidents: rows.map { $0.incident(urlBase: urlBase) }, total: total, more: total > rows.count)
    }

    public func lastChange(of number: Int, to status: IncidentStatus) async throws -> IncidentChangeRecord? {
        let kind: IncidentEventKind = switch status {
        case .triggered: .triggered
        case .acknowledged: .acknowledged
        case .resolved: .resolved
        }
        return try await read { db in
            guard let row = try GRDB.Row.fetchOne(db, sql: """
                SELECT actor, at FROM incident_timeline WHERE incidentNumber = ? AND kind = ? ORDER BY id DESC LIMIT 1
                """, arguments: [number, kind.rawValue]) else { return nil }
            let seconds: Double = row["at"]
            return IncidentChangeRecord(actor: row["actor"], at: Date(timeIntervalSince1970: seconds))
        }
    }
}
