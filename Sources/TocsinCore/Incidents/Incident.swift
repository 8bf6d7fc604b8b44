import Foundation

/// Where an incident is in its life. The three states every incident platform shares; PagerDuty's
/// REST API v2 uses exactly these strings.
public enum IncidentStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case triggered
    case acknowledged
    case resolved
}

/// How loudly an incident should page people. PagerDuty's `urgency` (high|low).
public enum Urgency: String, Sendable, Hashable, Codable, CaseIterable {
    case high
    case low
}

/// Events API v2 severities, most severe first. `Comparable` so routes can say "warning or worse".
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case critical
    case error
    case warning
    case info

    /// Lower rank is more severe.
    public var rank: Int {
        switch self {
        case .critical: 0
        case .error: 1
        case .warning: 2
        case .info: 3
        }
    }

    /// `a < b` means `a` is *less* severe, so `severity >= .warning` reads naturally.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank > rhs.rank }

    /// PagerDuty's default "urgency based on severity" rule: critical and error page loudly.
    public var defaultUrgency: Urgency { self <= .warning ? .low : .high }
}

/// An incident as the chat side sees it, whatever backend holds it.
///
/// People say the *number* (`!ack 123`); backends may also have an opaque `id` (PagerDuty `PT4KHLK`).
public struct Incident: Sendable, Hashable, Codable {
    public var number: Int
    public var id: String
    public var title: String
    public var service: String
    public var team: String?
    public var urgency: Urgency
    public var severity: Severity?
    public var status: IncidentStatus
    public var assignee: String?
    public var escalationLevel: Int?
    public var createdAt: Date
    public var updatedAt: Date
    public var snoozedUntil: Date?
    public var url: String?

    public init(
        number: Int, id: String, title: String, service: String, team: String? = nil,
        urgency: Urgency, severity: Severity? = nil, status: IncidentStatus, assignee: String? = nil,
        escalationLevel: Int? = nil, createdAt: Date, updatedAt: Date, snoozedUntil: Date? = nil,
        url: String? = nil
    ) {
        self.number = number
        self.id = id
        self.title = title
        self.service = service
        self.team = team
        self.urgency = urgency
        self.severity = severity
        self.status = status
        self.assignee = assignee
        self.escalationLevel = escalationLevel
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.snoozedUntil = snoozedUntil
        self.url = url
    }
}

/// A note on an incident (`!note 12 rolled back`), with who wrote it.
public struct IncidentNote: Sendable, Hashable, Codable {
    public var author: String
    public var content: String
    public var createdAt: Date

    public init(author: String, content: String, createdAt: Date) {
        self.author = author
        self.content = content
        self.createdAt = createdAt
    }
}

/// One line of an incident's history: who did what, when.
public struct TimelineEntry: Sendable, Hashable, Codable {
    public var at: Date
    public var actor: String?
    public var summary: String

    public init(at: Date, actor: String?, summary: String) {
        self.at = at
        self.actor = actor
        self.summary = summary
    }
}

/// Everything `!incident N` shows.
public struct IncidentDetails: Sendable, Hashable {
    public var incident: Incident
    public var notes: [IncidentNote]
    public var timeline: [TimelineEntry]

    public init(incident: Incident, notes: [IncidentNote], timeline: [TimelineEntry]) {
        self.incident = incident
        self.notes = notes
        self.timeline = timeline
    }
}

/// Who is on call, for `!oncall`.
public struct OnCallEntry: Sendable, Hashable {
    /// Schedule or escalation policy the shift belongs to.
    public var scope: String
    public var user: String
    public var email: String?
    public var escalationLevel: Int
    public var until: Date?

    public init(scope: String, user: String, email: String? = nil, escalationLevel: Int, until: Date? = nil) {
        self.scope = scope
        self.user = user
        self.email = email
        self.escalationLevel = escalationLevel
        self.until = until
    }
}

/// A page of open incidents; `more` says the list was cut at the limit.
public struct IncidentPage: Sendable, Hashable {
    public var incidents: [Incident]
    public var more: Bool

    public init(incidents: [Incident], more: Bool) {
        self.incidents = incidents
        self.more = more
    }
}
