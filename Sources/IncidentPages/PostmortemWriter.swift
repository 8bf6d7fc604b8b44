import Foundation
import TocsinCore

/// `/incidents/N/postmortem.md` (issue 13, item 4): Markdown a team pastes into its wiki —
/// summary, impact window, time to acknowledge and resolve, who responded, notes, and one merged
/// timeline of incident events and chat lines.
///
/// Everything that came from chat or from an alert is escaped (CommonMark §2.4: any ASCII
/// punctuation may be backslash-escaped), so a line such as `<img src=x onerror=…>` or
/// `[click](javascript:…)` stays text in any wiki that renders the Markdown. Each entry is one
/// list item that starts with its time, so block syntax (`#`, `>`, `-`) inside a line is inert;
/// only what works inline is escaped: link and image brackets, raw HTML and autolinks (`<`),
/// entities (`&`), emphasis and code (`*`, `_`, `` ` ``, `~`), table cells (`|`).
public enum PostmortemWriter {
    public static func markdown(_ summary: IncidentSummary, pageURL: String?) -> String {
        let incident = summary.incident
        var out: [String] = []
        out.append("# Postmortem: #\(incident.number) \(escape(incident.title))")
        out.append("")
        out.append("## Summary")
        out.append("")
        out.append("- **Service:** \(escape(incident.service))" + (incident.team.map { " (team \(escape($0)))" } ?? ""))
        out.append("- **Urgency:** \(incident.urgency.rawValue)" + (incident.severity.map { " · **Severity:** \($0.rawValue)" } ?? ""))
        out.append("- **Status:** \(incident.status.rawValue)")
        if let assignee = incident.assignee { out.append("- **Assignee:** \(escape(assignee))") }
        if let pageURL { out.append("- **Incident page:** <\(pageURL)>") }
        if !summary.rooms.isEmpty { out.append("- **Announced in:** " + summary.rooms.map(escape).joined(separator: ", ")) }
        out.append("")
        out.append("## Impact window")
        out.append("")
        out.append("- **Triggered:** \(TimeFormat.dateTime(incident.createdAt))")
        if let acked = summary.record.acknowledgedAt {
            out.append("- **Acknowledged:** \(TimeFormat.dateTime(acked))")
        }
        if let resolved = summary.record.resolvedAt {
            out.append("- **Resolved:** \(TimeFormat.dateTime(resolved))")
        } else {
            out.append("- **Resolved:** not yet")
        }
        out.append("- **Time to acknowledge:** " + (summary.timeToAcknowledge.map(TimeFormat.duration) ?? "—"))
        out.append("- **Time to resolve:** " + (summary.timeToResolve.map(TimeFormat.duration) ?? "—"))
        out.append("")
        out.append("## Responders")
        out.append("")
        if summary.responders.isEmpty { out.append("- nobody recorded") }
        for responder in summary.responders { out.append("- \(escape(responder))") }
        out.append("")
        out.append("## Notes")
        out.append("")
        if summary.record.notes.isEmpty { out.append("- none") }
        for note in summary.record.notes {
            out.append("- \(TimeFormat.dateTime(note.createdAt)) **\(escape(note.author))**: \(escape(note.content))")
        }
        out.append("")
        out.append("## Timeline")
        out.append("")
        for item in summary.timeline {
            switch item {
            case .event(let event, let via):
                let who = event.actor.map(escape) ?? "Events API (an alert)"
                let place = via.map { " in \(escape($0.network)) \(escape($0.room))" } ?? ""
                out.append("- \(TimeFormat.dateTime(event.at)) · **\(escape(event.summary))** — \(who)\(place)")
            case .chat(let line):
                let who = line.isBot ? "\(escape(line.nick)) (bot)" : escape(line.nick) + (line.identity.map { " (\(escape($0)))" } ?? "")
                out.append("- \(TimeFormat.dateTime(line.at)) · \(escape(line.network)) \(escape(line.room)) · \(who): \(escape(line.text))")
            }
        }
        out.append("")
        return out.joined(separator: "\n")
    }

    /// One line of text, inert in Markdown: line breaks become spaces, the inline punctuation
    /// Markdown or HTML give meaning to is backslash-escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "\n", "\r", "\u{2028}", "\u{2029}": out.append(" ")
            case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "~", "&":
                out.append("\\"); out.append(character)
            default:
                // Control characters (IRC colour codes and the like) are dropped.
                if character.unicodeScalars.allSatisfy({ $0.properties.generalCategory == .control }) { continue }
                out.append(character)
            }
        }
        return out
    }
}
