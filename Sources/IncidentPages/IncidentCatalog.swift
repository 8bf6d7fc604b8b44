import Foundation
import TocsinCore

/// Which incidents `/incidents` lists: by status, service and team, newest first.
public struct IncidentQuery: Sendable, Hashable {
    /// nil: every status; `[.triggered, .acknowledged]` is "open".
    public var statuses: Set<IncidentStatus>?
    public var service: String?
    public var team: String?

    public init(statuses: Set<IncidentStatus>? = nil, service: String? = nil, team: String? = nil) {
        self.statuses = statuses
        self.service = service
        self.team = team
    }
}

/// One change in an incident's history, from the incident platform.
public struct IncidentHistoryEvent: Sendable, Hashable {
    public var at: Date
    /// Who made it (email or name); nil for the platform itself (an alert, the Events API).
    public var actor: String?
    /// `triggered`, `acknowledged`, `resolved`, `annotated`… (``IncidentEventKind`` raw values, or
    /// PagerDuty's log entry type).
    public var kind: String
    public var summary: String
    /// Where it came from when the platform says (PagerDuty's channel: "web", "api", "email").
    public var channel: String?

    public init(at: Date, actor: String?, kind: String, summary: String, channel: String? = nil) {
        self.at = at
        self.actor = actor
        self.kind = kind
        self.summary = summary
        self.channel = channel
    }
}

/// Everything the incident page shows that comes from the incident platform.
public struct IncidentRecord: Sendable, Hashable {
    public var incident: Incident
    public var notes: [IncidentNote]
    /// Oldest first.
    public var events: [IncidentHistoryEvent]
    public var acknowledgedAt: Date?
    public var resolvedAt: Date?

    public init(incident: Incident, notes: [IncidentNote], events: [IncidentHistoryEvent],
                acknowledgedAt: Date? = nil, resolvedAt: Date? = nil) {
        self.incident = incident
        self.notes = notes
        self.events = events
        self.acknowledgedAt = acknowledgedAt ?? events.first { $0.kind == IncidentEventKind.acknowledged.rawValue }?.at
        self.resolvedAt = resolvedAt ?? (incident.status == .resolved
            ? events.last { $0.kind == IncidentEventKind.resolved.rawValue }?.at : nil)
    }
}

/// Where the pages read incidents: the embedded store's tables, or an ``IncidentService``
/// (PagerDuty) with its log entries.
public protocol IncidentCatalog: Sendable {
    /// Newest first, at most `limit`, before the visibility filter.
    func incidents(matching query: IncidentQuery, limit: Int) async throws -> [Incident]
    /// nil when there is no such incident.
    func record(of number: Int) async throws -> IncidentRecord?
    /// Open, or resolved when: what the chat recorder asks for each line about an incident. A
    /// catalog reading a remote API answers it with less than a whole ``record(of:)``.
    func activity(of number: Int) async throws -> IncidentActivity?
    /// Whether `Incident.url` is the platform's own page (PagerDuty's `html_url`), linked from
    /// Tocsin's page; false when it is Tocsin's page itself.
    var linksToPlatform: Bool { get }
}

extension IncidentCatalog {
    public var linksToPlatform: Bool { false }

    public func activity(of number: Int) async throws -> IncidentActivity? {
        try await record(of: number).map(IncidentActivity.init)
    }
}

extension IncidentActivity {
    /// Open, or resolved at the record's resolution (its last update when the history has none).
    init(_ record: IncidentRecord) {
        self.init(incident: record.incident, resolvedAt: record.resolvedAt)
    }

    init(incident: Incident, resolvedAt: Date? = nil) {
        let resolved = incident.status == .resolved
        self.init(isResolved: resolved, resolvedAt: resolved ? (resolvedAt ?? incident.updatedAt) : nil)
    }
}
