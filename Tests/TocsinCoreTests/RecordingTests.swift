import Foundation
import Synchronization
import Testing
import TocsinCore

/// Issue 13, item 3: which room lines are kept in which incident's timeline.
@Suite struct RecordingRulesTests {
    typealias F = Fixtures
    let now = Fixtures.epoch

    func line(_ text: String, in room: ChatDestination = Fixtures.ops, at: Date = Fixtures.epoch) -> ObservedChatLine {
        ObservedChatLine(at: at, room: room, nick: "alice", identity: F.alice, text: text)
    }

    @Test func mentionsModeKeepsOnlyLinesNamingAnIncidentAnnouncedInTheRoom() {
        let rules = RecordingRules(modes: [F.ops: .mentions])
        let announced: [Int: IncidentActivity] = [1: .open, 2: .open]
        #expect(rules.incidents(for: line("looking at #1"), mentioned: [1], announcedHere: announced) == [1])
        #expect(rules.incidents(for: line("lunch?"), mentioned: [], announcedHere: announced).isEmpty)
        // #7 was never announced here: a line about it is not this room's business.
        #expect(rules.incidents(for: line("what about #7"), mentioned: [7], announcedHere: announced).isEmpty)
    }

    @Test func allModeKeepsEveryLineForEachOpenIncidentAnnouncedInTheRoom() {
        let rules = RecordingRules(modes: [F.ops: .all])
        let announced: [Int: IncidentActivity] = [1: .open, 2: IncidentActivity(isResolved: true, resolvedAt: now.addingTimeInterval(-7200))]
        #expect(rules.incidents(for: line("lunch?"), mentioned: [], announcedHere: announced) == [1])
    }

    @Test func offModeAndDirectMessagesKeepNothing() {
        let rules = RecordingRules(modes: [F.ops: .off])
        #expect(rules.incidents(for: line("#1 is bad"), mentioned: [1], announcedHere: [1: .open]).isEmpty)
        let direct = ChatDestination(network: F.network, conversation: .direct("alice"))
        #expect(RecordingRules().mode(for: direct) == .off)
        #expect(ObservedChatLine(F.direct("#1 is bad")) == nil)
    }

    @Test func roomsWithoutAModeTakeTheDefaultWhichIsMentions() {
        #expect(RecordingRules().mode(for: F.ops) == .mentions)
        #expect(RecordingRules(modes: [.room("#OPS", on: F.network): .all]).mode(for: F.ops) == .all)
        #expect(RecordingRules(defaultMode: .off).mode(for: .room("#invited", on: F.network)) == .off)
    }

    @Test func linesAreKeptForAConfigurableTimeAfterTheIncidentResolved() {
        let rules = RecordingRules(afterResolve: 600)
        let recently = IncidentActivity(isResolved: true, resolvedAt: now.addingTimeInterval(-300))
        let long = IncidentActivity(isResolved: true, resolvedAt: now.addingTimeInterval(-900))
        #expect(rules.incidents(for: line("#1 postmortem?"), mentioned: [1], announcedHere: [1: recently]) == [1])
        #expect(rules.incidents(for: line("#1 postmortem?"), mentioned: [1], announcedHere: [1: long]).isEmpty)
    }

    @Test func mentionsAreHashNumbersAndTheIncidentsACommandNames() {
        let mentions = IncidentMentions(parser: CommandParser())
        #expect(mentions.numbers(in: "looking at #12, then (#3) and #12 again") == [12, 3])
        #expect(mentions.numbers(in: "#ops is on fire, a#4, #5a, #0") == [])
        #expect(mentions.numbers(in: "!ack 4 5") == [4, 5])
        #expect(mentions.numbers(in: "!note 7 rolled back #8") == [8, 7])
        #expect(mentions.numbers(in: "!incidents").isEmpty)
    }
}

/// The recorder runs in the background: a line is only handed over, never waited for.
@Suite struct ChatRecorderTests {
    typealias F = Fixtures

    /// A store whose `append` blocks until released, and which remembers what it got.
    final class SlowStore: ChatRecordStore {
        let appended = Mutex<[RecordedChatLine]>([])
        let announced = Mutex<[Int: Set<ChatDestination>]>([:])
        let gate: AsyncStream<Void>
        let release: AsyncStream<Void>.Continuation
        init() { (gate, release) = AsyncStream.makeStream(of: Void.self) }

        func noteAnnounced(_ incident: Int, in room: ChatDestination, at: Date) async throws {
            announced.withLock { $0[incident, default: []].insert(room.folded) }
        }
        func incidentsAnnounced(in room: ChatDestination, since: Date) async throws -> [Int] {
            announced.withLock { state in state.filter { $0.value.contains(room.folded) }.map(\.key).sorted() }
        }
        func append(_ lines: [RecordedChatLine]) async throws {
            for await _ in gate { break }
            appended.withLock { $0 += lines }
        }
    }

    @Test func aBlockedStoreNeverDelaysTheGatewayAndLinesArriveLater() async throws {
        let store = SlowStore()
        let recorder = ChatRecorder(rules: RecordingRulesSource(RecordingRules()), store: store, parser: CommandParser(), activity: { _ in .open })
        let writer = Task { await recorder.run() }
        recorder.announced(1, in: [F.ops], at: F.epoch)
        let started = ContinuousClock.now
        for index in 0..<2000 {
            recorder.observe(ObservedChatLine(at: F.epoch, room: F.ops, nick: "alice", identity: F.alice, text: "#1 line \(index)"))
        }
        // Handing 2,000 lines to a recorder whose database is stuck is a matter of milliseconds.
        #expect(ContinuousClock.now - started < .seconds(1))
        store.release.yield()
        #expect(await eventually { store.appended.withLock { !$0.isEmpty } })
        #expect(store.appended.withLock { $0.first?.text } == "#1 line 0")
        #expect(store.appended.withLock { $0.first?.identity } == F.alice.description)
        store.release.finish()
        recorder.finish()
        await writer.value
    }

    /// A store that counts how often the recorder asks which incidents were announced in a room.
    final class CountingStore: ChatRecordStore {
        let appended = Mutex<[RecordedChatLine]>([])
        let announced = Mutex<[Int: Set<ChatDestination>]>([:])
        let queries = Mutex(0)
        func noteAnnounced(_ incident: Int, in room: ChatDestination, at: Date) async throws {
            announced.withLock { $0[incident, default: []].insert(room.folded) }
        }
        func incidentsAnnounced(in room: ChatDestination, since: Date) async throws -> [Int] {
            queries.withLock { $0 += 1 }
            return announced.withLock { state in state.filter { $0.value.contains(room.folded) }.map(\.key).sorted() }
        }
        func append(_ lines: [RecordedChatLine]) async throws { appended.withLock { $0 += lines } }
    }

    @Test func aRoomWithNothingAnnouncedIsAskedOnceUntilAnIncidentIsAnnouncedThere() async throws {
        let store = CountingStore()
        let recorder = ChatRecorder(rules: RecordingRulesSource(RecordingRules()), store: store, parser: CommandParser(), activity: { _ in .open })
        let writer = Task { await recorder.run() }
        // A command and the bot's answer on an incident announced elsewhere: one read, not two.
        recorder.observe(ObservedChatLine(at: F.epoch, room: F.ops, nick: "alice", identity: F.alice, text: "!ack 1"))
        recorder.observe(ObservedChatLine(at: F.epoch.addingTimeInterval(1), room: .room("#OPS", on: F.ops.network),
                                          nick: "tocsin", identity: nil, text: "alice: Acknowledged #1", isBot: true))
        // Announced there now: the next line is asked about again, and kept.
        recorder.announced(1, in: [F.ops], at: F.epoch.addingTimeInterval(2))
        recorder.observe(ObservedChatLine(at: F.epoch.addingTimeInterval(3), room: F.ops, nick: "alice", identity: F.alice, text: "#1 looking"))
        #expect(await eventually { store.appended.withLock { !$0.isEmpty } })
        #expect(store.appended.withLock { $0.map(\.text) } == ["#1 looking"])
        #expect(store.queries.withLock { $0 } == 2)
        recorder.finish()
        await writer.value
    }

    @Test func aLineOlderThanTheQuietAnswerIsAskedAgain() async throws {
        let store = CountingStore()
        let recorder = ChatRecorder(rules: RecordingRulesSource(RecordingRules()), store: store, parser: CommandParser(), activity: { _ in .open })
        let writer = Task { await recorder.run() }
        recorder.observe(ObservedChatLine(at: F.epoch, room: F.ops, nick: "alice", identity: F.alice, text: "#1 later"))
        recorder.observe(ObservedChatLine(at: F.epoch.addingTimeInterval(-60), room: F.ops, nick: "alice", identity: F.alice, text: "#1 earlier"))
        recorder.finish()
        await writer.value
        // "Nothing since T" says nothing about what was announced before T.
        #expect(store.queries.withLock { $0 } == 2)
    }

    @Test func theBufferDropsTheOldestLinesWhenTheWriterFallsBehind() async {
        let recorder = ChatRecorder(rules: RecordingRulesSource(RecordingRules()), store: SlowStore(), parser: CommandParser(),
                                    activity: { _ in .open }, bufferSize: 10)
        for index in 0..<25 {
            recorder.observe(ObservedChatLine(at: F.epoch, room: F.ops, nick: "alice", identity: nil, text: "#1 \(index)"))
        }
        #expect(recorder.dropped == 15)
    }

    @Test func theGatewayRecordsTheCommandAndTheBotsReplyButNotChatter() async {
        final class Spy: ChatLineRecorder {
            let lines = Mutex<[ObservedChatLine]>([])
            let rooms = Mutex<[Int: [ChatDestination]]>([:])
            func observe(_ line: ObservedChatLine) { lines.withLock { $0.append(line) } }
            func announced(_ incident: Int, in rooms: [ChatDestination], at: Date) { self.rooms.withLock { $0[incident] = rooms } }
        }
        let spy = Spy()
        let outbox = InMemoryOutbox()
        var gateway = Gateway(commands: CommandHandler(parser: CommandParser(), policy: AuthorizationPolicy(identities: [F.alice: "alice@example.org"]),
                                                       service: FakeIncidentService()),
                              router: Router(rules: [RouteRule(destination: F.ops)]), outbox: outbox, dispatcher: OutboxDispatcher(outbox: outbox))
        gateway.recorder = spy
        try? await gateway.publish(F.event(.triggered))
        await gateway.receive(F.message("!ack 1"))
        await gateway.receive(F.message("lunch anyone?"))
        await gateway.receive(F.direct("whoami"))
        let lines = spy.lines.withLock { $0 }
        #expect(lines.count == 3)
        #expect(lines.map(\.text).first == "!ack 1")
        #expect(lines.dropFirst().first?.text.contains("Acknowledged #1 API latency") == true)
        #expect(lines.last?.text == "lunch anyone?")
        #expect(lines.map(\.isBot) == [false, true, false])
        #expect(spy.rooms.withLock { $0[1] } == [F.ops])
    }

    /// On PagerDuty the change's webhook can come back while `!ack` runs: the announcement in the
    /// command's room is then worded as the answer and nothing else is stored. The bot's line in
    /// the timeline is that answer (it was "ack: announced", which names no incident and was lost).
    @Test func theBotsAnswerIsRecordedWhenItsAnnouncementWasWordedAsTheAnswer() async {
        final class Spy: ChatLineRecorder {
            let lines = Mutex<[ObservedChatLine]>([])
            func observe(_ line: ObservedChatLine) { lines.withLock { $0.append(line) } }
            func announced(_ incident: Int, in rooms: [ChatDestination], at: Date) {}
        }
        let spy = Spy()
        let router = Router(rules: [RouteRule(destination: F.ops)])
        // Announces (claims the command's echo) while the command runs, as an early webhook does.
        let service = OutputTests.AnnouncingService(announcer: Announcer(router: router))
        var handler = CommandHandler(parser: CommandParser(), policy: AuthorizationPolicy(identities: [F.alice: "alice@example.org"]),
                                     service: service)
        handler.router = router
        let outbox = InMemoryOutbox()
        var gateway = Gateway(commands: handler, router: router, outbox: outbox, dispatcher: OutboxDispatcher(outbox: outbox))
        gateway.recorder = spy
        await gateway.receive(F.message("!ack 1"))
        let said = service.said.withLock { $0 }.filter { $0.destination == F.ops }.map(\.text.plainText)
        #expect(said.count == 1)
        let bot = spy.lines.withLock { $0 }.filter(\.isBot).map(\.text)
        #expect(bot == said)
        #expect(bot.first?.hasPrefix("alice: Acknowledged #1 API latency") == true)
    }
}

/// `!web` answers privately; `!postmortem N` names the page.
@Suite struct WebCommandTests {
    typealias F = Fixtures

    struct FakeWeb: WebSignIn {
        func signInLink(for identity: ChatIdentity) async throws -> String { "https://tocsin.example/login/SECRET-\(identity)" }
        func postmortemLink(for number: Int) -> String { "https://tocsin.example/incidents/\(number)/postmortem.md" }
        var linkLifetime: TimeInterval { 600 }
    }

    func gateway(_ outbox: InMemoryOutbox, web: (any WebSignIn)? = FakeWeb()) -> Gateway {
        var handler = CommandHandler(parser: CommandParser(), policy: AuthorizationPolicy(identities: [F.alice: "alice@example.org"]),
                                     service: FakeIncidentService())
        handler.web = web
        return Gateway(commands: handler, router: Router(rules: []), outbox: outbox, dispatcher: OutboxDispatcher(outbox: outbox))
    }

    func everything(_ outbox: InMemoryOutbox) async -> [OutboxMessage] {
        var items: [OutboxMessage] = []
        for network in await outbox.backlog().keys.sorted() {
            items += await outbox.pending(network: network, limit: 1000).map(\.message)
        }
        return items
    }

    @Test func webInARoomSendsTheLinkToThePersonAloneAndTellsTheRoomOnly() async {
        let outbox = InMemoryOutbox()
        await gateway(outbox).receive(F.message("!web"))
        let messages = await everything(outbox)
        let linkLines = messages.filter { $0.text.plainText.contains("SECRET") }
        #expect(linkLines.count == 1)
        #expect(linkLines.first?.destination == ChatDestination(network: F.network, conversation: .direct("alice")))
        #expect(messages.contains { $0.destination == F.ops && $0.text.plainText == "alice: I sent you a sign-in link in a private message." })
        #expect(!messages.contains { $0.destination == F.ops && $0.text.plainText.contains("SECRET") })
    }

    @Test func webFromAnXMPPRoomGoesToTheVerifiedBareJID() async {
        let outbox = InMemoryOutbox()
        let room = ChatDestination.room("ops@conference.example.org", on: "xmpp")
        await gateway(outbox).receive(F.message("!web", in: room, from: "bobby", identity: .xmpp("bob@example.org")))
        let link = await everything(outbox).first { $0.text.plainText.contains("SECRET") }
        #expect(link?.destination == ChatDestination(network: "xmpp", conversation: .direct("bob@example.org")))
    }

    @Test func webWithoutAVerifiedIdentityIsRefusedAndIssuesNoLink() async {
        let outbox = InMemoryOutbox()
        await gateway(outbox).receive(F.message("!web", identity: nil, identityUnavailableReason: "not logged in"))
        let messages = await everything(outbox)
        #expect(messages.count == 1)
        #expect(messages.first?.text.plainText.hasPrefix("Refused: ") == true)
        #expect(!messages.contains { $0.text.plainText.contains("SECRET") })
    }

    @Test func webWithoutPublicURLSaysHowToTurnThePagesOn() async {
        let outbox = InMemoryOutbox()
        await gateway(outbox, web: nil).receive(F.message("!web"))
        #expect(await everything(outbox).first?.text.plainText.contains("gateway.public_url") == true)
    }

    @Test func postmortemAnswersWithThePostmortemLink() async {
        let outbox = InMemoryOutbox()
        await gateway(outbox).receive(F.message("!postmortem #4"))
        let reply = await everything(outbox).first?.text.plainText ?? ""
        #expect(reply.hasSuffix("Postmortem of #4 API latency: https://tocsin.example/incidents/4/postmortem.md"), "\(reply)")
    }
}
