import Foundation
import GRDB
import TocsinCore

/// A stored value that does not parse (a hand-edited or newer database).
struct CorruptRowError: Error, CustomStringConvertible {
    var table: String
    var column: String
    var value: String

    var description: String { "\(table).\(column) holds unexpected value \"\(value)\"" }
}

/// One row of `incident_incidents`. Enums are stored as their PagerDuty strings.
struct IncidentRow: Sendable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "incident_incidents"

    enum Columns {
        static let number = Column("number")
        static let status = Column("status")
        static let dedupKey = Column("dedupKey")
        static let snoozedUntil = Column("snoozedUntil")
    }

    var number: Int64?
    var service: String
    var team: String?
    var title: String
    var urgency: Urgency
    var severity: Severity?
    var status: IncidentStatus
    var assignee: String?
    var escalationLevel: Int
    var dedupKey: String?
    var source: String?
    var component: String?
    var createdAt: Date
    var updatedAt: Date
    var snoozedUntil: Date?

    init(
        service: String, team: String?, title: String, urgency: Urgency, severity: Severity?,
        assignee: String?, dedupKey: String?, source: String? = nil, component: String? = nil, at date: Date
    ) {
        self.service = service
        self.team = team
        self.title = title
        self.urgency = urgency
        self.severity = severity
        self.status = .triggered
        self.assignee = assignee
        self.escalationLevel = 1
        self.dedupKey = dedupKey
        self.source = source
        self.component = component
        self.createdAt = date
        self.updatedAt = date
    }

    init(row: Row) throws {
        number = row["number"]
        service = row["service"]
        team = row["team"]
        title = row["title"]
        urgency = try Self.decode(row, "urgency")
        let severityText: String? = row["severity"]
        severity = try severityText.map { text in
            guard let value = Severity(rawValue: text) else { throw CorruptRowError(table: Self.databaseTableName, column: "severity", value: text) }
            return value
        }
        status = try Self.decode(row, "status")
        assignee = row["assignee"]
        escalationLevel = row["escalationLevel"]
        dedupKey = row["dedupKey"]
        source = row["source"]
        component = row["component"]
        createdAt = row["createdAt"]
        updatedAt = row["updatedAt"]
        snoozedUntil = row["snoozedUntil"]
    }

    private static func decode<Value: RawRepresentable<String>>(_ row: Row, _ column: String) throws -> Value {
        let text: String = row[column]
        guard let value = Value(rawValue: text) else {
            throw CorruptRowError(table: databaseTableName, column: column, value: text)
        }
        return value
    }

    func encode(to container: inout PersistenceContainer) {
        container["number"] = number
        container["service"] = service
        container["team"] = team
        container["title"] = title
        container["urgency"] = urgency.rawValue
        container["severity"] = severity?.rawValue
        container["status"] = status.rawValue
        container["assignee"] = assignee
        container["escalationLevel"] = escalationLevel
        container["dedupKey"] = dedupKey
        container["source"] = source
        container["component"] = component
        container["createdAt"] = createdAt.timeIntervalSince1970
        container["updatedAt"] = updatedAt.timeIntervalSince1970
        container["snoozedUntil"] = snoozedUntil?.timeIntervalSince1970
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        number = inserted.rowID
    }

    /// The chat-side view. The opaque id is `E` and the zero-padded number (`E00042`).
    func incident(urlBase: String?) -> Incident {
        let number = Int(self.number ?? 0)
        return Incident(
            number: number, id: Self.id(of: number), title: title, service: service, team: team,
            urgency: urgency, severity: severity, status: status, assignee: assignee,
            escalationLevel: escalationLevel, createdAt: createdAt, updatedAt: updatedAt,
            snoozedUntil: snoozedUntil, url: urlBase.map { "\($0)/incidents/\(number)" })
    }

    static func id(of number: Int) -> String {
        let digits = String(number)
        return "E" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }
}

/// One row of `incident_notes`.
struct NoteRow: Sendable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "incident_notes"

    var id: Int64?
    var incidentNumber: Int64
    var author: String
    var content: String
    var createdAt: Date

    init(incidentNumber: Int64, author: String, content: String, createdAt: Date) {
        self.incidentNumber = incidentNumber
        self.author = author
        self.content = content
        self.createdAt = createdAt
    }

    init(row: Row) {
        id = row["id"]
        incidentNumber = row["incidentNumber"]
        author = row["author"]
        content = row["content"]
        createdAt = row["createdAt"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["incidentNumber"] = incidentNumber
        container["author"] = author
        container["content"] = content
        container["createdAt"] = createdAt.timeIntervalSince1970
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    var note: IncidentNote { IncidentNote(author: author, content: content, createdAt: createdAt) }
}

/// One row of `incident_timeline`: who did what, when. `kind` is an ``IncidentEventKind`` raw value
/// for changes that are announced, or `merged` for a repeated alert folded into an open incident.
struct TimelineRow: Sendable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "incident_timeline"
    static let mergedKind = "merged"

    var id: Int64?
    var incidentNumber: Int64
    var at: Date
    var actor: String?
    var kind: String
    var summary: String
    var detail: String?

    init(incidentNumber: Int64, at: Date, actor: String?, kind: String, summary: String, detail: String?) {
        self.incidentNumber = incidentNumber
        self.at = at
        self.actor = actor
        self.kind = kind
        self.summary = summary
        self.detail = detail
    }

    init(row: Row) {
        id = row["id"]
        incidentNumber = row["incidentNumber"]
        at = row["at"]
        actor = row["actor"]
        kind = row["kind"]
        summary = row["summary"]
        detail = row["detail"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["incidentNumber"] = incidentNumber
        container["at"] = at.timeIntervalSince1970
        container["actor"] = actor
        container["kind"] = kind
        container["summary"] = summary
        container["detail"] = detail
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    var entry: TimelineEntry { TimelineEntry(at: at, actor: actor, summary: summary) }
}
