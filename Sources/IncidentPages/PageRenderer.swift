import Foundation
import Mustache
import TocsinCore

/// Renders the pages from ``PageTemplates`` with swift-mustache. View models are plain structs of
/// strings; every value is HTML-escaped by the template engine.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary

    public init() {
        var library = MustacheLibrary()
        for (name, text) in PageTemplates.all {
            // The templates are constants of this file's module: a parse error is a programming
            // error caught by the rendering tests.
            try! library.register(text, named: name)
        }
        self.library = library
    }

    struct ListItem {
        var number: Int
        var title: String
        var status: String
        var service: String
        var team: String?
        var urgency: String
        var severity: String?
        var created: String
        var assignee: String?
    }

    struct StatusOption {
        var value: String
        var label: String
        var selected: Bool
    }

    struct ListView {
        var title = "Incidents"
        var identity: String?
        var statusOptions: [StatusOption]
        var service: String
        var team: String
        var incidents: [ListItem]
        var previous: String?
        var next: String?
    }

    struct TimelineRow {
        var kind: String
        var iso: String
        var time: String
        var who: String
        var `where`: String?
        var text: String
    }

    struct NoteRow {
        var author: String
        var at: String
        var content: String
    }

    struct IncidentView {
        var title: String
        /// The incident's own title (the page's `title` also names its number).
        var heading: String
        var identity: String?
        var number: Int
        var status: String
        var service: String
        var team: String?
        var urgency: String
        var severity: String?
        var assignee: String?
        var created: String
        var acknowledged: String?
        var timeToAcknowledge: String?
        var resolved: String?
        var timeToResolve: String?
        var rooms: String?
        var externalURL: String?
        var notes: [NoteRow]
        var timeline: [TimelineRow]
    }

    struct MessageView {
        var title: String
        var identity: String?
        var heading: String
        var text: String
    }

    /// The sign-in button's page. Its fields are not named `identity`: that one puts "signed in
    /// as" in the header, and nobody is signed in yet.
    struct SignInView {
        var title = "Sign in"
        var who: String
        var token: String
        var next: String
    }

    /// The statuses the list filter offers: value, label.
    static let statusChoices: [(String, String)] = [("open", "Open"), ("triggered", "Triggered"), ("acknowledged", "Acknowledged"),
                                                    ("resolved", "Resolved"), ("all", "All")]

    func list(identity: String, incidents: [Incident], status: String, service: String, team: String,
              previous: String?, next: String?) -> String {
        let view = ListView(
            identity: identity,
            statusOptions: Self.statusChoices.map { StatusOption(value: $0.0, label: $0.1, selected: $0.0 == status) },
            service: service, team: team,
            incidents: incidents.map { incident in
                ListItem(number: incident.number, title: incident.title, status: incident.status.rawValue, service: incident.service,
                         team: incident.team, urgency: incident.urgency.rawValue, severity: incident.severity?.rawValue,
                         created: TimeFormat.dateTime(incident.createdAt), assignee: incident.assignee)
            },
            previous: previous, next: next)
        return library.render(view, withTemplate: "list") ?? ""
    }

    func incident(identity: String, summary: IncidentSummary, externalURL: String?) -> String {
        let incident = summary.incident
        let view = IncidentView(
            title: "#\(incident.number) \(incident.title)", heading: incident.title, identity: identity, number: incident.number,
            status: incident.status.rawValue, service: incident.service, team: incident.team, urgency: incident.urgency.rawValue,
            severity: incident.severity?.rawValue, assignee: incident.assignee, created: TimeFormat.dateTime(incident.createdAt),
            acknowledged: summary.record.acknowledgedAt.map(TimeFormat.dateTime),
            timeToAcknowledge: summary.timeToAcknowledge.map(TimeFormat.duration),
            resolved: summary.record.resolvedAt.map(TimeFormat.dateTime),
            timeToResolve: summary.timeToResolve.map(TimeFormat.duration),
            rooms: summary.rooms.isEmpty ? nil : summary.rooms.joined(separator: ", "),
            externalURL: Self.safeLink(externalURL),
            notes: summary.record.notes.map { NoteRow(author: $0.author, at: TimeFormat.dateTime($0.createdAt), content: $0.content) },
            timeline: summary.timeline.map(Self.row))
        return library.render(view, withTemplate: "incident") ?? ""
    }

    /// The page a one-time link shows on GET: a button that POSTs the token (see ``IncidentPageRoutes``).
    func signIn(identity: String, token: String, next: String) -> String {
        library.render(SignInView(who: identity, token: token, next: next), withTemplate: "signin") ?? ""
    }

    func message(identity: String?, heading: String, text: String) -> String {
        library.render(MessageView(title: heading, identity: identity, heading: heading, text: text), withTemplate: "message") ?? ""
    }

    static func row(_ item: TimelineItem) -> TimelineRow {
        let iso = ISO8601DateFormatter().string(from: item.at)
        switch item {
        case .event(let event, let via):
            return TimelineRow(kind: "event", iso: iso, time: TimeFormat.time(item.at), who: event.actor ?? "Events API (an alert)",
                               where: via.map { "\($0.network) \($0.room)" } ?? event.channel.map { "via \($0)" },
                               text: event.summary)
        case .chat(let line):
            let who = line.isBot ? "\(line.nick) (bot)" : line.nick + (line.identity.map { " (\($0))" } ?? " (unverified)")
            return TimelineRow(kind: line.isBot ? "bot" : "chat", iso: iso, time: TimeFormat.time(item.at), who: who,
                               where: "\(line.network) \(line.room)", text: Self.printable(line.text))
        }
    }

    /// Chat text without control characters (IRC colour and bold codes).
    static func printable(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.properties.generalCategory != .control || $0 == "\n" }.map(Character.init))
    }

    /// Only http(s) links become `href`s (never `javascript:` or `data:`).
    static func safeLink(_ url: String?) -> String? {
        guard let url else { return nil }
        let lowered = url.lowercased()
        return lowered.hasPrefix("https://") || lowered.hasPrefix("http://") ? url : nil
    }
}
