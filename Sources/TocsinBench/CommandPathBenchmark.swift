import DurableOutbox
import EmbeddedIncidents
import Foundation
import IRC
import IRCClient
import Logging
import Synchronization
import TocsinCore
import TocsinStorage

/// "Tocsin's own share" of a command round trip: from the moment the bytes of
/// `PRIVMSG #ops :!ack N` are read to the moment the reply line is serialized for the socket,
/// through the real types — ``IRCLineFramer``, ``IRCMessage``, ``IRCClientStateMachine`` (identity
/// from account-tag, InboundMessage), ``Gateway`` and ``CommandHandler`` (parse, authorize, word
/// the reply), the REAL embedded SQLite store and durable outbox on a temporary file (the change,
/// its timeline, the reply and the announcement in one transaction; issue 11), and the session's
/// ``IRCRenderer`` and flood queue. The reply goes to the renderer from memory, as in the gateway;
/// marking it delivered (one write) is timed as its own stage.
///
/// Two variants:
/// - `direct`: every step called in turn by one task, timed stage by stage (where the time goes);
/// - `dispatcher`: the reply travels as in the gateway, via ``OutboxDispatcher``'s delivery loop
///   (wake-up, outbox read, `ChatTransport.deliver`), so task switches are included.
struct CommandPathBenchmark {
    var iterations = 10_000
    var warmup = 1_000
    /// Virtual time between two commands: the paced client of the end-to-end benchmark.
    var gap: Duration = .milliseconds(150)

    static let stages = ["frame_parse", "session_inbound", "command_and_enqueue", "outbox_read", "render_serialize", "mark_delivered"]

    struct Result {
        var total: DurationSummary
        var stages: [String: DurationSummary]
        var confirmed: Int

        func json() -> JSONValue {
            var object: [String: JSONValue] = ["total": .object(total.json()), "confirmed": .number(Double(confirmed))]
            if !stages.isEmpty { object["stages"] = .object(stages.mapValues { .object($0.json()) }) }
            return .object(object)
        }
    }

    static func commandLine(_ index: Int, number: Int) -> [UInt8] {
        Array(("@account=alice;msgid=bench\(index);time=2025-06-01T12:00:00.000Z "
            + ":alice!~alice@alice.users.example.org PRIVMSG \(BotSession.room) :!ack \(number)\r\n").utf8)
    }

    /// The real store and outbox on one SQLite file in a fresh temporary directory, with
    /// `warmup + iterations` incidents to acknowledge, announced into the bench room.
    struct Storage {
        var directory: URL
        var outbox: SQLiteOutbox
        var store: EmbeddedIncidentStore
        var router: Router
    }

    struct IgnoredEvents: IncidentEventSink {
        func publish(_ event: IncidentEvent) async throws {}
    }

    func makeStorage() async throws -> Storage {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-bench-\(UUID().uuidString)")
        let pool = try TocsinDatabase.open(path: directory.appendingPathComponent("tocsin.sqlite").path)
        let outbox = try SQLiteOutbox(database: pool)
        let router = Router(rules: [RouteRule(destination: ChatDestination.room(BotSession.room, on: BotSession.network))])
        let store = try EmbeddedIncidentStore(database: pool, services: [EmbeddedService(name: "api", team: nil)],
                                              events: IgnoredEvents(), outbox: outbox, announcer: Announcer(router: router))
        let creator = Actor(email: "alice@example.org")
        for index in 0..<(warmup + iterations) {
            _ = try await store.trigger(service: "api", title: "Disk full on db-\(index % 17)", by: creator)
        }
        // The triggers' own announcements are not part of the measurement.
        let stale = try await outbox.pending(network: BotSession.network, limit: Int(Int32.max))
        try await outbox.markDelivered(stale.map(\.id))
        return Storage(directory: directory, outbox: outbox, store: store, router: router)
    }

    func makeGateway(storage: Storage, dispatcher: OutboxDispatcher) -> Gateway {
        var logger = Logger(label: "tocsin.bench")
        logger.logLevel = .warning
        let policy = AuthorizationPolicy(identities: [.irc(network: BotSession.network, account: "alice"): "alice@example.org"])
        let handler = CommandHandler(parser: CommandParser(prefix: "!"), policy: policy, service: storage.store, logger: logger)
        return Gateway(commands: handler, router: storage.router, outbox: storage.outbox, dispatcher: dispatcher, logger: logger)
    }

    func runDirect() async throws -> Result {
        let session = BotSession()
        let storage = try await makeStorage()
        defer { try? FileManager.default.removeItem(at: storage.directory) }
        let gateway = makeGateway(storage: storage, dispatcher: OutboxDispatcher(outbox: storage.outbox))
        let clock = ContinuousClock()
        var framer = IRCLineFramer()
        var totals: [Duration] = []
        var stageSamples = Array(repeating: [Duration](), count: Self.stages.count)
        totals.reserveCapacity(iterations)
        var confirmed = 0
        for index in 0..<(warmup + iterations) {
            let bytes = Self.commandLine(index, number: 1 + index)
            session.advance(gap)

            let t0 = clock.now
            framer.append(bytes)
            guard let raw = try framer.nextLine() else { fatalError("framer returned no line") }
            let message = try IRCMessage(parsing: raw)
            let t1 = clock.now
            guard let inbound = session.receive(message) else { fatalError("no inbound message for \(message)") }
            let t2 = clock.now
            // What Gateway.run does: the command commits its change, reply and announcement.
            guard let response = await gateway.commands.respond(to: inbound) else { fatalError("no reply") }
            let t3 = clock.now
            guard let items = response.committed, let item = items.first else { fatalError("reply not committed with the change") }
            let t4 = clock.now
            let wire = session.deliver(item)
            let t5 = clock.now
            try await storage.outbox.markDelivered(items.map(\.id))
            let t6 = clock.now

            guard !wire.isEmpty else { fatalError("reply rendered to nothing") }
            if session.confirm(item.id, wire: wire) { confirmed += 1 }
            if index >= warmup {
                totals.append(t6 - t0)
                for (stage, sample) in [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5].enumerated() {
                    stageSamples[stage].append(sample)
                }
            }
            if index == 0 {
                FileHandleOutput.standardError("share: first reply on the wire: \(String(decoding: wire, as: UTF8.self))")
            }
        }
        var stages: [String: DurationSummary] = [:]
        for (index, name) in Self.stages.enumerated() { stages[name] = DurationSummary(stageSamples[index]) }
        return Result(total: DurationSummary(totals), stages: stages, confirmed: confirmed - warmup)
    }

    func runViaDispatcher() async throws -> Result {
        let session = BotSession()
        let storage = try await makeStorage()
        defer { try? FileManager.default.removeItem(at: storage.directory) }
        let dispatcher = OutboxDispatcher(outbox: storage.outbox, tick: .seconds(2))
        let gateway = makeGateway(storage: storage, dispatcher: dispatcher)
        let (written, writtenSink) = AsyncStream.makeStream(of: ContinuousClock.Instant.self)
        let transport = CapturingTransport(session: session, written: writtenSink)
        let loop = Task.detached { await dispatcher.run(transports: [transport]) }
        defer { loop.cancel() }
        // Let the delivery loop register its wake-up before the first command.
        try await Task.sleep(for: .milliseconds(50))

        let clock = ContinuousClock()
        var framer = IRCLineFramer()
        var iterator = written.makeAsyncIterator()
        var totals: [Duration] = []
        totals.reserveCapacity(iterations)
        for index in 0..<(warmup + iterations) {
            let bytes = Self.commandLine(index, number: 1 + index)
            // Here the acknowledgement's announcement goes out too: two lines per command, so
            // the virtual gap covers two flood intervals, or the flood queue would hold the reply
            // back (and the figure would time a queued line, never written).
            session.advance(gap * 2)

            let t0 = clock.now
            framer.append(bytes)
            guard let raw = try framer.nextLine() else { fatalError("framer returned no line") }
            guard let inbound = session.receive(try IRCMessage(parsing: raw)) else { fatalError("no inbound message") }
            await gateway.receive(inbound)
            guard let end = await iterator.next() else { fatalError("the dispatcher stopped") }
            if index >= warmup { totals.append(end - t0) }
        }
        return Result(total: DurationSummary(totals), stages: [:], confirmed: transport.confirmedCount - warmup)
    }
}

/// The chat transport the dispatcher delivers to: renders through the session, reports when the
/// bytes are ready for the socket, then confirms the way the server's echo would.
final class CapturingTransport: ChatTransport {
    let network = BotSession.network
    private let session: BotSession
    private let written: AsyncStream<ContinuousClock.Instant>.Continuation
    private let confirmed = Atomic<Int>(0)

    init(session: BotSession, written: AsyncStream<ContinuousClock.Instant>.Continuation) {
        self.session = session
        self.written = written
    }

    var confirmedCount: Int { confirmed.load(ordering: .relaxed) }

    func deliver(_ item: OutboxItem) async throws {
        let wire = session.deliver(item)
        let confirmedNow = session.confirm(item.id, wire: wire)
        // The announcement of each acknowledgement goes out too; the round trip ends at the reply.
        guard item.message.priority.isReply else { return }
        written.yield(ContinuousClock.now)
        if confirmedNow { confirmed.add(1, ordering: .relaxed) }
    }
}
