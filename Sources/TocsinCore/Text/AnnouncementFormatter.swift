import Foundation

/// Writes incident announcements and command replies as ``RichText``, the same words on every network.
///
/// Output a team can live with (issue 12, item 5): summaries are cut at ``summaryLimit`` characters
/// with "…" (the link, at the end of the line, has the rest); people are shown by their chat name
/// (``ChatNames``), emails only when no chat name is known; a reply starts with the nick of the
/// person it answers, so their client highlights it.
public struct AnnouncementFormatter: Sendable {
    /// Incidents `!incidents` shows at most, packed several to a line; the rest are counted and
    /// linked, so a bad day does not flood the channel.
    public var listLimit: Int
    /// Titles and notes longer than this are cut with "…".
    public var summaryLimit: Int
    /// Chat names of the people incidents name by email.
    public var chatNames: ChatNames

    public static let defaultListLimit = 6
    public static let defaultSummaryLimit = 160
    /// Characters per line of a compact list before the next line starts (IRC lines hold ~400).
    static let listLineBudget = 300
    /// Titles in a compact list are cut shorter than in announcements.
    static let listTitleLimit = 48

    public init(listLimit: Int = defaultListLimit, summaryLimit: Int = defaultSummaryLimit, chatNames: ChatNames = ChatNames()) {
        self.listLimit = max(1, listLimit)
        self.summaryLimit = max(8, summaryLimit)
        self.chatNames = chatNames
    }

    /// One line — what happened to which incident, then service, urgency, assignee and link — so a
    /// burst of announcements costs one flood-control token each on IRC.
    public func announcement(for event: IncidentEvent) -> RichText {
        announcement(for: event, on: nil)
    }

    /// The announcement as people on `network` read it (their chat names).
    public func announcement(for event: IncidentEvent, on network: String?) -> RichText {
        let incident = event.incident
        var first: [Span] = [.tone(tone(for: event), "[\(label(for: event.kind))]"), .plain(" "),
                             .bold("#\(incident.number)"), .plain(" \(cut(incident.title))")]
        if let actor = event.actor {
            first.append(.muted(" — by \(chatNames.name(of: actor, on: network))"))
        }
        first += change(of: event, on: network)
        return RichText(first + [.plain(" · ")] + details(of: incident, includeStatus: false, on: network))
    }

    /// The answer to the person whose command made `event`: their nick (a highlight), what was
    /// done, then the incident's details and link. The same line replaces the announcement in the
    /// room the command was typed in, so that room reads one line per action.
    public func reply(for event: IncidentEvent, to nick: String?, on network: String?, headline: String? = nil) -> RichText {
        let incident = event.incident
        var spans = addressed(nick)
        if let headline { spans.append(.plain("\(headline) ")) }
        switch event.kind {
        case .annotated: spans += [.plain("Note added to "), .bold("#\(incident.number)")]
        case .triggered: spans += [.plain("Triggered "), .bold("#\(incident.number)")]
        default: spans += [.tone(tone(for: event), replyVerb(for: event.kind)), .plain(" "), .bold("#\(incident.number)")]
        }
        spans.append(.plain(" \(cut(incident.title))"))
        spans += change(of: event, on: network)
        return RichText(spans + [.plain(" · ")] + details(of: incident, includeStatus: false, on: network))
    }

    /// `nick: ` as the first span of a reply (nothing when there is no nick, e.g. tests).
    public func addressed(_ nick: String?) -> [Span] {
        guard let nick, !nick.isEmpty else { return [] }
        return [.plain("\(nick): ")]
    }

    private func replyVerb(for kind: IncidentEventKind) -> String {
        switch kind {
        case .priorityUpdated: "Priority updated on"
        case .statusUpdatePublished: "Status update on"
        default: kind.rawValue.prefix(1).uppercased() + kind.rawValue.dropFirst()
        }
    }

    /// What an event adds after the title: the note, the new assignee, the level, the snooze.
    private func change(of event: IncidentEvent, on network: String?) -> [Span] {
        let incident = event.incident
        switch event.kind {
        case .annotated:
            if let note = event.detail { return [.plain(": "), .italic(cut(note))] }
        case .reassigned:
            if let assignee = event.detail ?? incident.assignee { return [.plain(" → \(chatNames.name(of: assignee, on: network))")] }
        case .escalated:
            if let level = incident.escalationLevel { return [.plain(" → level \(level)")] }
        case .snoozed:
            if let detail = event.detail { return [.plain(" for \(detail)")] }
        default:
            break
        }
        return []
    }

    /// Service, urgency, severity, (status), assignee and link.
    public func details(of incident: Incident, includeStatus: Bool = true, on network: String? = nil) -> [Span] {
        var spans: [Span] = [.plain("\(incident.service)")]
        if let team = incident.team { spans.append(.plain(" (\(team))")) }
        spans.append(.plain(" · "))
        spans.append(.tone(incident.urgency == .high ? .critical : .info, incident.urgency.rawValue))
        if let severity = incident.severity { spans.append(.plain(" · \(severity.rawValue)")) }
        if includeStatus { spans.append(.plain(" · \(incident.status.rawValue)")) }
        if let assignee = incident.assignee { spans.append(.plain(" · \(chatNames.name(of: assignee, on: network))")) }
        if let url = incident.url { spans.append(.plain(" · ")); spans.append(.link(url)) }
        return spans
    }

    /// `text` cut at ``summaryLimit`` characters with "…".
    public func cut(_ text: String) -> String {
        Self.cut(text, to: summaryLimit)
    }

    static func cut(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        var kept = text.prefix(limit - 1)
        while let last = kept.last, last.isWhitespace { kept = kept.dropLast() }
        return kept + "…"
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

    /// One line per incident (`!incident` and tools); `!incidents` uses ``incidentList(_:)``.
    public func summaryLine(_ incident: Incident) -> [Span] {
        [.tone(incident.status == .triggered ? .critical : .warning, incident.status.rawValue), .plain(" "),
         .bold("#\(incident.number)"), .plain(" \(cut(incident.title)) · \(incident.service) · \(incident.urgency.rawValue)")]
            + (incident.assignee.map { [.muted(" · \(chatNames.name(of: $0, on: nil))")] } ?? [])
    }
}

extension Span {
    static func muted(_ text: String) -> Span { .tone(.muted, text) }
}
