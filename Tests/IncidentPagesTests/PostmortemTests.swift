import Foundation
import Testing
@testable import IncidentPages
import TocsinCore

/// Issue 13, items 1 and 4: the merged timeline and the Markdown postmortem.
@Suite struct PostmortemTests {
    let f = PageFixtures.self

    @Test func theTimelineMergesEventsAndChatByTimeWithTheCommandBeforeItsChange() {
        let events = [
            IncidentHistoryEvent(at: f.epoch, actor: nil, kind: "triggered", summary: "Triggered"),
            IncidentHistoryEvent(at: f.epoch.addingTimeInterval(10), actor: "alice@example.org", kind: "acknowledged", summary: "Acknowledged"),
            IncidentHistoryEvent(at: f.epoch.addingTimeInterval(30), actor: "alice@example.org", kind: "resolved", summary: "Resolved"),
        ]
        let chat = [
            f.line("rolled back #1", at: 20),
            f.line("!ack 1", at: 10),
            f.line("Acknowledged #1", at: 10.5, nick: "tocsin", identity: nil, isBot: true),
            f.line("!resolve 1", at: 29),
        ]
        let merged = MergedTimeline.merge(events: events, chat: chat, emailOf: { $0 == "irc:libera/alice" ? "alice@example.org" : nil })
        let labels = merged.map { item -> String in
            switch item {
            case .event(let event, _): "event:\(event.summary)"
            case .chat(let line): "chat:\(line.text)"
            }
        }
        #expect(labels == ["event:Triggered", "chat:!ack 1", "event:Acknowledged", "chat:Acknowledged #1", "chat:rolled back #1",
                           "chat:!resolve 1", "event:Resolved"])
        // The acknowledgement came from the room where alice typed !ack.
        guard case .event(_, let via) = merged[2] else { Issue.record("not an event"); return }
        #expect(via?.room == "#ops")
        guard case .event(_, let none) = merged[0] else { Issue.record("not an event"); return }
        #expect(none == nil)
    }

    @Test func thePostmortemHasSummaryImpactResponsersNotesAndTheMergedTimeline() {
        var incident = f.incident(1, title: "Checkout errors", status: .resolved)
        incident.assignee = "alice@example.org"
        let record = IncidentRecord(
            incident: incident, notes: [IncidentNote(author: "alice@example.org", content: "rolled back", createdAt: f.epoch.addingTimeInterval(25))],
            events: [IncidentHistoryEvent(at: f.epoch, actor: nil, kind: "triggered", summary: "Triggered"),
                     IncidentHistoryEvent(at: f.epoch.addingTimeInterval(125), actor: "alice@example.org", kind: "acknowledged", summary: "Acknowledged"),
                     IncidentHistoryEvent(at: f.epoch.addingTimeInterval(3725), actor: "alice@example.org", kind: "resolved", summary: "Resolved")])
        let summary = IncidentSummary(record: record, chat: [f.line("looking at #1", at: 60)], rooms: ["libera #ops"])
        let markdown = PostmortemWriter.markdown(summary, pageURL: "https://tocsin.example.org/incidents/1")
        #expect(markdown.hasPrefix("# Postmortem: #1 Checkout errors\n"))
        #expect(markdown.contains("- **Time to acknowledge:** 2m 05s"))
        #expect(markdown.contains("- **Time to resolve:** 1h 02m"))
        #expect(markdown.contains("- **Triggered:** 2026-01-01 00:00:00 UTC"))
        #expect(markdown.contains("## Responders\n\n- alice (irc:libera/alice)\n- alice@example.org\n"))
        #expect(markdown.contains("**alice@example.org**: rolled back"))
        let timeline = markdown.components(separatedBy: "## Timeline")[1]
        let triggered = timeline.range(of: "**Triggered**")!.lowerBound
        let chat = timeline.range(of: "looking at #1")!.lowerBound
        let acked = timeline.range(of: "**Acknowledged**")!.lowerBound
        #expect(triggered < chat && chat < acked)
    }

    @Test func aPersonWhoTypedAndActedIsOneResponderNamedByNickAndEmail() {
        let record = IncidentRecord(
            incident: f.incident(1, status: .resolved), notes: [],
            events: [IncidentHistoryEvent(at: f.epoch.addingTimeInterval(5), actor: "alice@example.org", kind: "acknowledged", summary: "Acknowledged"),
                     IncidentHistoryEvent(at: f.epoch.addingTimeInterval(90), actor: "carol@example.org", kind: "resolved", summary: "Resolved")])
        let chat = [f.line("!ack 1", at: 4), f.line("on it", at: 10),
                    f.line("db is fine", at: 20, nick: "bob", identity: "xmpp:bob@example.org"),
                    f.line("who?", at: 30, nick: "mallory", identity: nil),
                    f.line("Acknowledged #1", at: 5, nick: "tocsin", identity: nil, isBot: true)]
        let emails = ["irc:libera/alice": "alice@example.org"]
        let summary = IncidentSummary(record: record, chat: chat, emailOf: { emails[$0] })
        #expect(summary.responders == ["alice (alice@example.org)", "bob (xmpp:bob@example.org)", "mallory (unverified)",
                                       "carol@example.org"])
    }

    @Test func chatTextCannotInjectMarkdownOrHTMLIntoTheWiki() {
        let escaped = PostmortemWriter.escape("[click](javascript:alert(1)) <img src=x onerror=y> *b* `c`\n# heading | pipe")
        #expect(!escaped.contains("\n"))
        // Every `<` is escaped: no raw HTML, no autolink.
        #expect(escaped.components(separatedBy: "<").dropFirst().count == escaped.components(separatedBy: "\\<").dropFirst().count)
        #expect(escaped.contains("\\<img src=x onerror=y\\>"))
        #expect(!escaped.contains("[click]("))
        #expect(escaped.hasPrefix("\\[click\\](javascript:alert(1))"))
        #expect(escaped.contains("\\*b\\*") && escaped.contains("\\`c\\`") && escaped.contains("# heading \\| pipe"))
    }

    @Test func durationsReadLikeAPerson() {
        #expect(TimeFormat.duration(45) == "45s")
        #expect(TimeFormat.duration(125) == "2m 05s")
        #expect(TimeFormat.duration(3720) == "1h 02m")
        #expect(TimeFormat.duration(3 * 86400 + 4 * 3600) == "3d 4h")
    }
}

/// The templates never output a value unescaped.
@Suite struct TemplateTests {
    @Test func noTemplateUsesUnescapedOutput() {
        for (name, text) in PageTemplates.all {
            #expect(!text.contains("{{{"), "\(name)")
            #expect(!text.contains("{{&"), "\(name)")
            #expect(!text.contains("<script"), "\(name)")
        }
    }

    @Test func everyTemplateRendersWithAViewportForPhones() {
        let html = PageRenderer().message(identity: nil, heading: "Hello", text: "World")
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        #expect(html.contains("<h1>Hello</h1>"))
    }

    @Test func onlyWebLinksBecomeHrefs() {
        #expect(PageRenderer.safeLink("javascript:alert(1)") == nil)
        #expect(PageRenderer.safeLink("data:text/html,x") == nil)
        #expect(PageRenderer.safeLink("https://acme.pagerduty.com/incidents/PT4KHLK") == "https://acme.pagerduty.com/incidents/PT4KHLK")
    }
}
