import Foundation
import Synchronization
import Testing
import TocsinCore

/// Output a team can live with (issue 12, item 5): cut summaries, chat names, compact lists, one
/// line per action in the room where a command was typed, "already acknowledged by bob 5 m ago",
/// `!ack` alone, `!incidents mine`.
@Suite struct OutputTests {
    typealias F = Fixtures
    static let identities: [ChatIdentity: String] = [Fixtures.alice: "alice@example.org", Fixtures.bob: "bob@example.org"]
    let other = ChatDestination.room("#other", on: Fixtures.network)
    let names = ChatNames(identities: identities, xmppNetworks: ["xmpp"])

    // MARK: formatting

    @Test func aLongSummaryIsCutWithAnEllipsisAndTheLinkStays() {
        let title = String(repeating: "disk full on db1 ", count: 40)  // 680 characters, as in the issue
        let incident = F.incident(7, title: title, url: "https://tocsin.test/incidents/7")
        let text = AnnouncementFormatter().announcement(for: F.event(.triggered, incident))
        #expect(text.lines.count == 1)
        let plain = text.plainText
        #expect(plain.hasSuffix("https://tocsin.test/incidents/7"))
        let shownTitle = plain.dropFirst("[TRIGGERED] #7 ".count).prefix { $0 != "…" }
        #expect(shownTitle.count < 160 && shownTitle.count > 150)
        #expect(plain.contains("… · api"))
        #expect(plain.count < 260)
        #expect(AnnouncementFormatter(summaryLimit: 40).announcement(for: F.event(.triggered, incident)).plainText.count < 120)
    }

    @Test func aShortSummaryIsLeftWhole() {
        #expect(AnnouncementFormatter().cut("Disk full") == "Disk full")
    }

    @Test func actorsAndAssigneesAreShownByChatNameEmailsOnlyWhenUnknown() {
        let formatter = AnnouncementFormatter(chatNames: names)
        let incident = F.incident(1, assignee: "bob@example.org")
        #expect(formatter.announcement(for: F.event(.acknowledged, incident, actor: "alice@example.org"), on: F.network).plainText
                == "[ACKNOWLEDGED] #1 API latency — by alice · api (platform) · high · bob")
        #expect(formatter.announcement(for: F.event(.acknowledged, incident, actor: "carol@example.org"), on: F.network).plainText
                .contains("by carol@example.org"))
        #expect(names.name(of: "bob@example.org", on: "xmpp") == "bob")
        #expect(ChatNames(identities: [.xmpp("dana@localhost"): "dana@example.org"], xmppNetworks: ["x"])
                .name(of: "DANA@example.org", on: "x") == "dana")
    }

    @Test func tenOpenIncidentsFitInTwoLinesWithCountAgeStatusAssigneeAndLink() {
        let formatter = AnnouncementFormatter(chatNames: names)
        let incidents = (1...10).reversed().map { n in
            Incident(number: n, id: "E\(n)", title: "incident number \(n) with a title", service: "api", urgency: .high,
                     status: n.isMultiple(of: 2) ? .acknowledged : .triggered, assignee: n == 10 ? "bob@example.org" : nil,
                     createdAt: F.epoch.addingTimeInterval(Double(n) * 60), updatedAt: F.epoch, url: "https://t.test/incidents/\(n)")
        }
        let listing = OpenIncidentList(incidents: Array(incidents.prefix(formatter.listLimit)), total: 10, more: true)
        let text = formatter.incidentList(listing, to: "alice", mine: false, on: F.network, now: F.epoch.addingTimeInterval(3600),
                                          listURL: AnnouncementFormatter.listURL(from: incidents))
        #expect(text.lines.count <= 2)
        let plain = text.plainText
        #expect(plain.hasPrefix("alice: 10 open: #10 incident number 10 with a title (50 m, acked, bob) · #9 "))
        #expect(plain.hasSuffix(" — and 4 more: https://t.test/incidents"))
        #expect(plain.range(of: "#10")!.lowerBound < plain.range(of: "#9 ")!.lowerBound)
        for line in plain.split(separator: "\n") { #expect(line.count <= 340) }
    }

    @Test func anEmptyListSaysSoAndMineSaysWhose() {
        let formatter = AnnouncementFormatter()
        let empty = OpenIncidentList(incidents: [], total: 0, more: false)
        #expect(formatter.incidentList(empty, to: "alice", mine: true, on: nil, now: F.epoch, listURL: nil).plainText
                == "alice: No open incidents assigned to you.")
    }

    @Test(arguments: [(30.0, "30 s"), (300.0, "5 m"), (7200.0, "2 h"), (259_200.0, "3 d")] as [(Double, String)])
    func agesAreShort(_ seconds: Double, _ text: String) {
        #expect(RelativeAge.format(from: F.epoch, to: F.epoch.addingTimeInterval(seconds)) == text)
    }

    // MARK: one line per action

    @Test func theCommandsOwnChangeIsWordedAsItsAnswerInItsRoomOnlyAndOnce() {
        let echoes = CommandEchoes()
        let router = Router(rules: [RouteRule(destination: F.ops), RouteRule(destination: other)], echoes: echoes)
        let announcer = Announcer(router: router)
        let token = echoes.expect(.init(origin: F.ops, nick: "alice", actor: "alice@example.org", numbers: [1],
                                        kinds: [.acknowledged], messageID: "m1"))
        let event = F.event(.acknowledged, F.incident(1, severity: .critical), actor: "alice@example.org")
        let lines = announcer.announcements(for: event)
        #expect(lines.count == 2)
        let here = lines.first { $0.destination == F.ops }
        #expect(here?.text.plainText.hasPrefix("alice: Acknowledged #1 API latency · ") == true)
        #expect(here?.inReplyTo == "m1")
        #expect(here?.priority == .critical)
        #expect(here?.dedupKey == "event:\(event.id)")
        #expect(lines.first { $0.destination == other }?.text.plainText.hasPrefix("[ACKNOWLEDGED] #1") == true)
        #expect(echoes.finish(token) == [1])
        // The next change of the same incident is an ordinary announcement again.
        #expect(announcer.announcements(for: F.event(.acknowledged, actor: "alice@example.org")).allSatisfy { $0.text.plainText.hasPrefix("[") })
    }

    @Test func aLaterWebhookOfAnAnsweredChangeIsLeftOutOfTheCommandsRoom() {
        let echoes = CommandEchoes()
        let router = Router(rules: [RouteRule(destination: F.ops), RouteRule(destination: other)], echoes: echoes)
        let token = echoes.expect(.init(origin: F.ops, nick: "alice", actor: "alice@example.org", numbers: [4], kinds: [.acknowledged]))
        #expect(echoes.finish(token, silencing: [4]).isEmpty)
        // PagerDuty names the agent by display name.
        let webhook = F.event(.acknowledged, F.incident(4), actor: "Alice Example")
        #expect(Announcer(router: router).announcements(for: webhook).map(\.destination) == [other])
        // Once only.
        #expect(Announcer(router: router).announcements(for: webhook).map(\.destination) == [F.ops, other])
    }

    @Test func changesByTheAlertSourceOrSomeoneElseAreNotAnEcho() {
        let echoes = CommandEchoes()
        let router = Router(rules: [RouteRule(destination: F.ops)], echoes: echoes)
        _ = echoes.expect(.init(origin: F.ops, nick: "alice", actor: "alice@example.org", numbers: [1], kinds: [.resolved]))
        let announcer = Announcer(router: router)
        #expect(announcer.announcements(for: F.event(.resolved, actor: nil)).first?.text.plainText.hasPrefix("[RESOLVED]") == true)
        #expect(announcer.announcements(for: F.event(.resolved, actor: "bob@example.org")).first?.text.plainText.hasPrefix("[RESOLVED]") == true)
        #expect(announcer.announcements(for: F.event(.acknowledged, actor: "alice@example.org")).first?.text.plainText.hasPrefix("[ACK") == true)
    }

    /// A backend that announces its changes while the command runs, like the embedded store.
    final class AnnouncingService: IncidentService, IncidentQueries {
        let backendName = "test"
        let supportedCommands = Set(CommandName.allCases)
        let announcer: Announcer
        let said = Mutex<[OutboxMessage]>([])
        let acked = Mutex<[[Int]]>([])
        let mine: [Int]
        let unchanged: Set<Int>
        let missing: Set<Int>

        init(announcer: Announcer, mine: [Int] = [], unchanged: Set<Int> = [], missing: Set<Int> = []) {
            self.announcer = announcer
            self.mine = mine
            self.unchanged = unchanged
            self.missing = missing
        }

        func acknowledge(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome] {
            acked.withLock { $0.append(numbers) }
            return numbers.map { n in
                if missing.contains(n) { return .failed(number: n, .notFound(number: n)) }
                if unchanged.contains(n) { return .unchanged(F.incident(n, status: .acknowledged)) }
                let incident = F.incident(n, status: .acknowledged)
                said.withLock { $0 += announcer.announcements(for: F.event(.acknowledged, incident, actor: actor.email)) }
                return .changed(incident)
            }
        }
        func resolve(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome] { [] }
        func addNote(to number: Int, content: String, by actor: Actor) async throws -> Incident { F.incident(number) }
        func openIncidents(limit: Int) async throws -> IncidentPage { IncidentPage(incidents: [], more: false) }
        func details(of number: Int) async throws -> IncidentDetails { IncidentDetails(incident: F.incident(number), notes: [], timeline: []) }
        func trigger(service: String, title: String, by actor: Actor) async throws -> Incident { F.incident(1) }
        func onCall(name: String?) async throws -> [OnCallEntry] { [] }
        func reassign(_ number: Int, to user: String, by actor: Actor) async throws -> Incident { F.incident(number) }
        func escalate(_ number: Int, toLevel level: Int?, by actor: Actor) async throws -> Incident { F.incident(number) }
        func snooze(_ number: Int, for seconds: Int, by actor: Actor) async throws -> Incident { F.incident(number) }

        func incidents(in statuses: Set<IncidentStatus>, assignedTo assignee: Actor?, limit: Int) async throws -> OpenIncidentList {
            let list = (assignee == nil ? [1, 2, 3] : mine).map { F.incident($0) }
            return OpenIncidentList(incidents: list, total: list.count, more: false)
        }
        func lastChange(of number: Int, to status: IncidentStatus) async throws -> IncidentChangeRecord? {
            IncidentChangeRecord(actor: "bob@example.org", at: F.epoch)
        }
    }

    func handler(routes: [ChatDestination], mine: [Int] = [], unchanged: Set<Int> = [],
                 missing: Set<Int> = []) -> (CommandHandler, AnnouncingService) {
        let router = Router(rules: routes.map { RouteRule(destination: $0) })
        let formatter = AnnouncementFormatter(chatNames: names)
        let service = AnnouncingService(announcer: Announcer(router: router, formatter: formatter), mine: mine, unchanged: unchanged,
                                        missing: missing)
        var handler = CommandHandler(parser: CommandParser(), policy: AuthorizationPolicy(identities: Self.identities), service: service,
                                     formatter: formatter)
        handler.router = router
        handler.queries = service
        handler.now = { F.epoch.addingTimeInterval(300) }
        return (handler, service)
    }

    @Test func inARoutedRoomTheAnnouncementIsTheAnswerAndNoReplyIsStored() async {
        let (handler, service) = handler(routes: [F.ops, other])
        let response = await handler.respond(to: F.message("!ack 1", messageID: "m7"))
        #expect(response?.committed == [])  // nothing more to store
        // …but the answer's words are the response's (the bot's line the chat recorder keeps).
        #expect(response?.text.plainText.hasPrefix("alice: Acknowledged #1 API latency") == true)
        let said = service.said.withLock { $0 }
        let inOps = said.filter { $0.destination == F.ops }
        #expect(inOps.count == 1)
        #expect(inOps.first?.text.plainText.hasPrefix("alice: Acknowledged #1 API latency") == true)
        #expect(inOps.first?.inReplyTo == "m7")
        #expect(said.filter { $0.destination == other }.first?.text.plainText.hasPrefix("[ACKNOWLEDGED] #1 API latency — by alice") == true)
    }

    @Test func severalIncidentsReadAsOneLineInTheCommandsRoomAndOneAnnouncementEachElsewhere() async {
        let (handler, service) = handler(routes: [F.ops, other])
        let response = await handler.respond(to: F.message("!ack 1 2 3", messageID: "m9"))
        let said = service.said.withLock { $0 }
        #expect(said.filter { $0.destination == F.ops }.isEmpty)  // folded into the answer
        #expect(said.filter { $0.destination == other }.map { $0.text.plainText.hasPrefix("[ACKNOWLEDGED] #") } == [true, true, true])
        #expect(response?.committed == nil)  // the answer is stored: it is the room's one line
        #expect(response?.text.lines.count == 1)
        #expect(response?.text.plainText == "alice: Acknowledged #1, #2, #3")
    }

    @Test func severalIncidentsWithOneAlreadySoAndOneMissingAreStillOneLineNamingEach() async {
        let (handler, service) = handler(routes: [F.ops, other], unchanged: [2], missing: [9])
        let response = await handler.respond(to: F.message("!ack 1 2 9"))
        #expect(service.said.withLock { $0 }.filter { $0.destination == F.ops }.isEmpty)
        #expect(response?.text.lines.count == 1)
        #expect(response?.text.plainText
                == "alice: Acknowledged #1 API latency; #2 already acknowledged by bob 5 m ago; Failed: !ack: incident #9 does not exist")
    }

    @Test func aFoldingEchoLeavesItsRoomOutWhileRunningAndAWebhookAfterwards() {
        let echoes = CommandEchoes()
        let announcer = Announcer(router: Router(rules: [RouteRule(destination: F.ops), RouteRule(destination: other)], echoes: echoes))
        let token = echoes.expect(.init(origin: F.ops, nick: "alice", actor: "alice@example.org", numbers: [1, 2],
                                        kinds: [.acknowledged], folds: true))
        // The embedded store announces #1 while the command runs.
        #expect(announcer.announcements(for: F.event(.acknowledged, F.incident(1), actor: "alice@example.org")).map(\.destination) == [other])
        #expect(echoes.finish(token, silencing: [1, 2]) == [1])
        // PagerDuty's webhook for #2 comes after the answer: still left out of #ops, once.
        let webhook = F.event(.acknowledged, F.incident(2), actor: "Alice Example")
        #expect(announcer.announcements(for: webhook).map(\.destination) == [other])
        #expect(announcer.announcements(for: webhook).map(\.destination) == [F.ops, other])
    }

    @Test func inARoomWithoutRouteTheReplyCarriesTheWholeLine() async {
        let (handler, service) = handler(routes: [other])
        let response = await handler.respond(to: F.message("!ack 1"))
        #expect(response?.committed == nil)
        #expect(response?.text.plainText.hasPrefix("alice: Acknowledged #1 API latency · api (platform) · high") == true)
        #expect(service.said.withLock { $0.map(\.destination) } == [other])
    }

    @Test func alreadyAcknowledgedSaysByWhomAndHowLongAgo() async {
        let (handler, _) = handler(routes: [F.ops], unchanged: [2])
        let response = await handler.respond(to: F.message("!ack 2"))
        #expect(response?.text.plainText == "alice: #2 already acknowledged by bob 5 m ago")
    }

    @Test func ackAloneTakesWhatIsAssignedToMeAndTriggeredAndSaysHowMany() async {
        let (handler, service) = handler(routes: [other], mine: [5, 3])
        let response = await handler.respond(to: F.message("!ack"))
        #expect(service.acked.withLock { $0 } == [[5, 3]])
        #expect(response?.text.plainText == "alice: 2 assigned to you — Acknowledged #5, #3")

        let (nothing, quiet) = self.handler(routes: [other], mine: [])
        #expect(await nothing.respond(to: F.message("!ack"))?.text.plainText.hasPrefix("alice: nothing triggered is assigned to you") == true)
        #expect(quiet.acked.withLock { $0.isEmpty })
    }

    @Test func incidentsMineNeedsAMappedIdentity() async {
        let (handler, _) = handler(routes: [])
        let unmapped = await handler.respond(to: F.message("!incidents mine", identity: nil))
        #expect(unmapped?.text.plainText.hasPrefix("alice: !incidents mine needs your chat identity mapped") == true)
        let mine = await handler.respond(to: F.message("!incidents mine"))
        #expect(mine?.text.plainText == "alice: No open incidents assigned to you.")
    }

    @Test func everyReplyInARoomStartsWithTheNickButNotInADirectMessage() async {
        let (handler, _) = handler(routes: [])
        #expect(await handler.respond(to: F.message("!frobnicate"))?.text.plainText.hasPrefix("alice: Unknown command") == true)
        #expect(await handler.respond(to: F.message("!ack 1", identity: nil))?.text.plainText
                .hasPrefix("alice: Refused: !ack needs a verified identity") == true)
        #expect(await handler.respond(to: F.direct("frobnicate"))?.text.plainText.hasPrefix("alice:") != true)
    }
}
