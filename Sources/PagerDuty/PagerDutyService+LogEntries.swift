import Foundation
import TocsinCore

/// One entry of an incident's PagerDuty log, for Tocsin's incident page (issue 13).
public struct PagerDutyLogEntry: Sendable, Hashable {
    public var at: Date
    /// `trigger_log_entry`, `acknowledge_log_entry`, `annotate_log_entry`, `resolve_log_entry`…
    public var type: String
    public var summary: String
    /// The agent's summary (a user's name, a service).
    public var agent: String?
    /// How the action came in: the log entry's `channel.type` (`api`, `web_trigger`, `email`, `auto`…).
    public var channel: String?
}

/// `GET /incidents/{id}/log_entries` (REST API v2, "List log entries for an incident"): every
/// entry, not only the overview, `time_zone=UTC`, in pages of 100 (classic `limit`/`offset`
/// pagination while `more` is true), at most ``maximumLogEntries``.
extension PagerDutyService {
    public static let maximumLogEntries = 1000

    public func logEntries(of number: Int) async throws -> [PagerDutyLogEntry] {
        let resource = try await incidentResource(number)
        var entries: [PagerDutyLogEntry] = []
        var offset = 0
        while entries.count < Self.maximumLogEntries {
            let page = try await client.send(
                APIRequest(.get, APIRequest.path("incidents", resource.id, "log_entries"),
                           query: [.init("is_overview", "false"), .init("time_zone", "UTC"),
                                   .init("limit", String(Self.pageLimit)), .init("offset", String(offset))],
                           incidentNumber: number),
                expecting: DetailedLogEntryList.self)
            for entry in page.logEntries {
                guard let at = PagerDutyDate.parse(entry.createdAt) else { continue }
                entries.append(PagerDutyLogEntry(at: at, type: entry.type ?? "log_entry",
                                                 summary: entry.summary ?? entry.type ?? "log entry",
                                                 agent: entry.agent?.summary, channel: entry.channel?.type))
            }
            guard page.more == true, !page.logEntries.isEmpty else { break }
            offset += page.logEntries.count
        }
        return entries.sorted { $0.at < $1.at }
    }
}

/// A log entry with its `channel` (documented as a polymorphic object whose `type` names it).
struct DetailedLogEntry: Decodable, Sendable {
    struct Channel: Decodable, Sendable {
        var type: String?
    }

    var type: String?
    var summary: String?
    var createdAt: String
    var agent: ResourceReference?
    var channel: Channel?

    enum CodingKeys: String, CodingKey {
        case type, summary, agent, channel
        case createdAt = "created_at"
    }
}

struct DetailedLogEntryList: Decodable, Sendable {
    var logEntries: [DetailedLogEntry]
    var more: Bool?

    enum CodingKeys: String, CodingKey {
        case logEntries = "log_entries"
        case more
    }
}
