import Foundation
import Testing
import TocsinCore

@Suite struct AnnouncementFormatterTests {
    typealias F = Fixtures
    let formatter = AnnouncementFormatter()

    @Test(arguments: [
        (IncidentEventKind.triggered, "TRIGGERED"), (.acknowledged, "ACKNOWLEDGED"), (.unacknowledged, "UNACKNOWLEDGED"),
        (.resolved, "RESOLVED"), (.reopened, "REOPENED"), (.reassigned, "REASSIGNED"), (.escalated, "ESCALATED"),
        (.annotated, "NOTE"), (.snoozed, "SNOOZED"), (.priorityUpdated, "PRIORITY"), (.statusUpdatePublished, "STATUS UPDATE"),
    ])
    func everyKindHasAReadableLabel(_ kind: IncidentEventKind, _ label: String) {
        #expect(formatter.label(for: kind) == label)
        #expect(spans(F.event(kind)).first?.text == "[\(label)]")
    }

    /// Every span of an announcement, whatever its line layout.
    func spans(_ event: IncidentEvent) -> [Span] {
        formatter.announcement(for: event).lines.flatMap { $0 }
    }

    @Test(arguments: [IncidentEventKind.triggered, .reopened, .escalated, .unacknowledged])
    func alarmingKindsFollowUrgency(_ kind: IncidentEventKind) {
        #expect(formatter.tone(for: F.event(kind, F.incident(1, urgency: .high))) == .critical)
        #expect(formatter.tone(for: F.event(kind, F.incident(1, urgency: .low))) == .warning)
    }

    @Test(arguments: [(IncidentEventKind.acknowledged, Tone.warning), (.snoozed, .warning), (.resolved, .success),
                      (.reassigned, .info), (.annotated, .info), (.priorityUpdated, .info), (.statusUpdatePublished, .info)])
    func otherKindsHaveAFixedTone(_ kind: IncidentEventKind, _ tone: Tone) {
        for urgency in Urgency.allCases {
            #expect(formatter.tone(for: F.event(kind, F.incident(1, urgency: urgency))) == tone)
        }
    }

    @Test func labelSpanCarriesTheTone() {
        #expect(spans(F.event(.resolved)).first == .tone(.success, "[RESOLVED]"))
        #expect(spans(F.event(.triggered, F.incident(1, urgency: .high))).first == .tone(.critical, "[TRIGGERED]"))
    }

    @Test func announcementIsOneLineWithEveryDetail() {
        let incident = F.incident(42, title: "Disk full", service: "db", team: "storage", urgency: .high, severity: .critical,
                                  assignee: "alice", url: "https://tocsin.example.org/incidents/42")
        let text = formatter.announcement(for: F.event(.triggered, incident))
        #expect(text.lines.count == 1)
        #expect(text.plainText == "[TRIGGERED] #42 Disk full · db (storage) · high · critical · alice · https://tocsin.example.org/incidents/42")
        #expect(text.lines.first?.contains(.bold("#42")) == true)
        #expect(text.lines.first?.contains(.link("https://tocsin.example.org/incidents/42")) == true)
    }

    @Test func missingDetailsAreLeftOut() {
        let incident = F.incident(3, title: "Slow", service: "web", team: nil, urgency: .low, status: .acknowledged)
        #expect(formatter.announcement(for: F.event(.acknowledged, incident)).plainText == "[ACKNOWLEDGED] #3 Slow · web · low")
    }

    @Test func detailsShowTheStatusWhereNoLabelSaysIt() {
        let incident = F.incident(3, title: "Slow", service: "web", team: nil, urgency: .low, status: .acknowledged)
        #expect(RichText(formatter.details(of: incident)).plainText == "web · low · acknowledged")
    }

    @Test func urgencyToneMarksHighUrgencyAsCritical() {
        #expect(formatter.details(of: F.incident(1, urgency: .high)).contains(.tone(.critical, "high")))
        #expect(formatter.details(of: F.incident(1, urgency: .low)).contains(.tone(.info, "low")))
    }

    @Test func actorIsNamed() {
        let event = F.event(.acknowledged, actor: "bob@example.org")
        #expect(spans(event).contains(.tone(.muted, " — by bob@example.org")))
        #expect(formatter.announcement(for: event).plainText.hasPrefix("[ACKNOWLEDGED] #1 API latency — by bob@example.org · api"))
    }

    @Test func noteTextFollowsInItalics() {
        let event = F.event(.annotated, actor: "alice@example.org", detail: "rolled back 1.4.2")
        let all = spans(event)
        let note = all.firstIndex(of: .italic("rolled back 1.4.2"))
        #expect(note.map { all[all.index(before: $0)] } == .plain(": "))
        #expect(formatter.announcement(for: event).plainText.hasPrefix("[NOTE] #1 API latency — by alice@example.org: rolled back 1.4.2 · "))
    }

    @Test func noteWithoutTextAddsNothing() {
        #expect(formatter.announcement(for: F.event(.annotated)).plainText.hasPrefix("[NOTE] #1 API latency · api"))
    }

    @Test func reassignmentNamesTheNewAssignee() {
        let fromDetail = formatter.announcement(for: F.event(.reassigned, F.incident(1, assignee: "old"), detail: "bob"))
        #expect(fromDetail.plainText.hasPrefix("[REASSIGNED] #1 API latency → bob · "))
        let fromIncident = formatter.announcement(for: F.event(.reassigned, F.incident(1, assignee: "carol")))
        #expect(fromIncident.plainText.hasPrefix("[REASSIGNED] #1 API latency → carol · "))
    }

    @Test func escalationNamesTheLevel() {
        let text = formatter.announcement(for: F.event(.escalated, F.incident(1, escalationLevel: 2)))
        #expect(text.plainText.hasPrefix("[ESCALATED] #1 API latency → level 2 · "))
    }

    @Test func snoozeNamesTheDuration() {
        let text = formatter.announcement(for: F.event(.snoozed, detail: "2h"))
        #expect(text.plainText.hasPrefix("[SNOOZED] #1 API latency for 2h · "))
    }

    @Test func detailIsIgnoredWhereItMeansNothing() {
        let text = formatter.announcement(for: F.event(.resolved, detail: "internal detail"))
        #expect(!text.plainText.contains("internal detail"))
    }

    @Test func summaryLineMarksTriggeredIncidentsCritical() {
        let triggered = formatter.summaryLine(F.incident(5, title: "Down", service: "api", urgency: .high, status: .triggered))
        #expect(triggered.first == .tone(.critical, "triggered"))
        #expect(RichText(triggered).plainText == "triggered #5 Down · api · high")
        let acknowledged = formatter.summaryLine(F.incident(6, status: .acknowledged, assignee: "alice"))
        #expect(acknowledged.first == .tone(.warning, "acknowledged"))
        #expect(acknowledged.last == .tone(.muted, " · alice"))
    }

    @Test func listLimitDefaultsToSixAndSummariesTo160() {
        #expect(AnnouncementFormatter().listLimit == 6)
        #expect(AnnouncementFormatter().summaryLimit == 160)
    }
}

@Suite struct RichTextTests {
    @Test func plainTextJoinsSpansAndLines() {
        let text = RichText(lines: [[.bold("#1"), .plain(" "), .tone(.critical, "down")], [.code("!ack 1"), .italic(" now"), .link(" https://x")]])
        #expect(text.plainText == "#1 down\n!ack 1 now https://x")
    }

    @Test func plainInitializerMakesOneLine() {
        #expect(RichText(plain: "hello").lines == [[.plain("hello")]])
        #expect(RichText([.bold("a"), .plain("b")]).plainText == "ab")
        #expect(RichText(lines: []).plainText == "")
    }

    @Test func richTextSurvivesJSONRoundTrip() throws {
        let text = RichText(lines: [[.plain("a"), .bold("b"), .italic("c"), .code("d"), .tone(.warning, "e"), .link("f")], []])
        let decoded = try JSONDecoder().decode(RichText.self, from: JSONEncoder().encode(text))
        #expect(decoded == text)
    }
}
