import Foundation

/// Writes incident announcements and command replies as ``RichText``, the same words on every network.
public struct AnnouncementFormatter: Sendable {
    /// Incidents listed by `!incidents` at most, so a bad day does not flood the channel.
    public var listLimit: Int

    public init(listLimit: Int = 10) {
        self.listLimit = listLimit
    }

    /// One line — what happened to which incident, then service, urgency, assignee and link — so a
    /// burst of announcements costs one flood-control token each on IRC. Long titles wrap at the edge.
    public func announcement(for event: IncidentEvent) -> RichText {
        let incident = event.incident
        var first: [Span] = [.tone(tone(for: event), "[\(label(for: event.kind))]"), .plain(" "),
                             .bold("#\(incident.number)"), .plain(" \(incident.title)")]
        if let actor = event.actor {
            first.append(.muted(" — by \(actor)"))
        }
        switch event.kind {
        case .annotated:
            if let note = event.detail { first.append(.plain(": ")); first.append(.italic(note)) }
        case .reassigned:
            if let assignee = event.detail ?? incident.assignee { first.append(.plain(" → \(assignee)")) }
        case .escalated:
            if let level = incident.escalationLevel { first.append(.plain(" → level \(level)")) }
        case .snoozed:
            if let detail = event.detail { first.append(.plain(" for \(detail)")) }
        default:
            break
        }
        return RichText(first + [.plain(" · ")] + details(of: incident, includeStatus: false))
    }

    /// Service, urgency, severity, (status), assignee and link.
    public func details(of incident: Incident, includeStatus: Bool = true) -> [Span] {
        var spans: [Span] = [.plain("\(incident.service)")]
        if let team = incident.team { spans.append(.plain(" (\(team))")) }
        spans.append(.plain(" · "))
        spans.append(.tone(incident.urgency == .high ? .critical : .info, incident.urgency.rawValue))
        if let severity = incident.severity { spans.append(.plain(" · \(severity.rawValue)")) }
        if includeStatus { spans.append(.plain(" · \(incident.status.rawValue)")) }
        if let assignee = incident.assignee { spans.append(.plain(" · \(assignee)")) }
        if let url = incident.url { spans.append(.plain(" · ")); spans.append(.link(url)) }
        return spans
    }

    public func label(for kind: IncidentEventKind) -> String {
        switch kind {
        case .priorityUpdated: "PRIORITY"
        case .statusUpdatePublished: "STATUS UPDATE"
        case .annotated: "NOTE"
        default: kind.rawValue.uppercased()
        }
    }

    public func tone(for event: IncidentEvent) -> Tone {
        switch event.kind {
        case .triggered, .reopened, .escalated, .unacknowledged:
            event.incident.urgency == .high ? .critical : .warning
        case .acknowledged, .snoozed: .warning
        case .resolved: .success
        case .reassigned, .annotated, .priorityUpdated, .statusUpdatePublished: .info
        }
    }

    /// One line per incident, newest first, as `!incidents` shows them.
    public func summaryLine(_ incident: Incident) -> [Span] {
        [.tone(incident.status == .triggered ? .critical : .warning, incident.status.rawValue), .plain(" "),
         .bold("#\(incident.number)"), .plain(" \(incident.title) · \(incident.service) · \(incident.urgency.rawValue)")]
            + (incident.assignee.map { [.muted(" · \($0)")] } ?? [])
    }
}

extension Span {
    static func muted(_ text: String) -> Span { .tone(.muted, text) }
}
