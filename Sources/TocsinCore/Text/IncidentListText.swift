import Foundation

/// What `!incidents` (and `!incidents mine`) shows: several incidents per line, newest first,
/// each with its age, status and assignee, then "and N more: link" — a few lines whatever the
/// day, instead of one line per incident (10 open incidents were 10 lines, ~15 s of IRC pacing).
public struct OpenIncidentList: Sendable, Hashable {
    public var incidents: [Incident]
    /// Open incidents in all (of the ones asked for), when the backend counts them.
    public var total: Int?
    /// More than `incidents` exist (when `total` is unknown).
    public var more: Bool

    public init(incidents: [Incident], total: Int?, more: Bool) {
        self.incidents = incidents
        self.total = total
        self.more = more
    }
}

extension AnnouncementFormatter {
    /// The compact list. `listURL` is where the rest can be read (the platform's incident list).
    public func incidentList(_ listing: OpenIncidentList, to nick: String?, mine: Bool, on network: String?,
                             now: Date, listURL: String?) -> RichText {
        let shown = Array(listing.incidents.prefix(listLimit))
        let whose = mine ? " assigned to you" : ""
        guard !shown.isEmpty else {
            return RichText(addressed(nick) + [.tone(.success, "No open incidents\(whose).")])
        }
        let count = listing.total.map { max($0, shown.count) }
        var head = addressed(nick)
        head.append(.plain(count.map { "\($0) open\(whose): " } ?? "Open\(whose): "))
        var lines: [[Span]] = []
        var line = head
        var width = RichText(head).plainText.count
        for (index, incident) in shown.enumerated() {
            let entry = listEntry(incident, on: network, now: now)
            let entryWidth = RichText(entry).plainText.count
            if index > 0 {
                if width + 3 + entryWidth > Self.listLineBudget {
                    lines.append(line)
                    line = []
                    width = 0
                } else {
                    line.append(.plain(" · "))
                    width += 3
                }
            }
            line += entry
            width += entryWidth
        }
        let rest = count.map { $0 - shown.count } ?? (listing.more ? nil : 0)
        var tail: [Span] = []
        if rest != 0 {
            tail.append(.muted(rest.map { " — and \($0) more" } ?? " — and more"))
            if let listURL { tail += [.muted(": "), .link(listURL)] }
        }
        line += tail
        lines.append(line)
        return RichText(lines: lines)
    }

    /// `#12 Disk full on db1 (5 m, triggered, bob)`.
    func listEntry(_ incident: Incident, on network: String?, now: Date) -> [Span] {
        let status: Span = incident.status == .triggered ? .tone(.critical, "triggered") : .tone(.warning, "acked")
        var spans: [Span] = [.bold("#\(incident.number)"), .plain(" \(Self.cut(incident.title, to: min(summaryLimit, Self.listTitleLimit))) (")]
        spans += [.plain("\(RelativeAge.format(from: incident.createdAt, to: now)), "), status]
        if let assignee = incident.assignee { spans.append(.plain(", \(chatNames.name(of: assignee, on: network))")) }
        spans.append(.plain(")"))
        return spans
    }

    /// The platform's list of incidents, from an incident's own link (`…/incidents/42` →
    /// `…/incidents`), for "and N more: link".
    public static func listURL(from incidents: [Incident]) -> String? {
        for incident in incidents {
            guard let url = incident.url, let range = url.range(of: "/incidents/", options: .backwards) else { continue }
            return String(url[..<range.lowerBound]) + "/incidents"
        }
        return nil
    }
}
