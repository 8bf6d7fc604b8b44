import IRC
import IRCClient
import Logging
import Synchronization
import TocsinCore

/// "Tocsin's own share" of a command round trip: from the moment the bytes of
/// `PRIVMSG #ops :!ack N` are read to the moment the reply line is serialized for the socket,
/// with an incident service that answers instantly, through the real types — ``IRCLineFramer``,
/// ``IRCMessage``, ``IRCClientStateMachine`` (identity from account-tag, InboundMessage),
/// ``Gateway`` and ``CommandHandler`` (parse, authorize, word the reply), ``InMemoryOutbox``,
/// and the session's ``IRCRenderer`` and flood queue.
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

    static let stages = ["frame_parse", "session_inbound", "command_and_enqueue", "outbox_read", "render_serialize"]

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

    func makeGateway(outbox: InMemoryOutbox, dispatcher: OutboxDispatcher) -> Gateway {
        var logger = Logger(label: "tocsin.bench")
        logger.logLevel = .warning
        let policy = AuthorizationPolicy(identities: [.irc(network: BotSession.network, account: "alice"): "alice@example.org"])
        let handler = CommandHandler(parser: CommandParser(prefix: "!"), policy: policy, service: InstantIncidentService(), logger: logger)
        return Gateway(commands: handler, router: Router(rules: []), outbox: outbox, dispatcher: dispatcher, logger: logger)
    }

    func runDirect() async throws -> Result {
        let session = BotSession()
        let outbox = InMemoryOutbox()
        let gateway = makeGateway(outbox: outbox, dispatcher: OutboxDispatcher(outbox: outbox))
        let clock = ContinuousClock()
        var framer = IRCLineFramer()
        var totals: [Duration] = []
        var stageSamples = Array(repeating: [Duration](), count: Self.stages.count)
        totals.reserveCapacity(iterations)
        var confirmed = 0
        for index in 0..<(warmup + iterations) {
            let bytes = Self.commandLine(index, number: 1000 + index)
            session.advance(gap)

            let t0 = clock.now
            framer.append(bytes)
            guard let raw = try framer.nextLine() else { fatalError("framer returned no line") }
            let message = try IRCMessage(parsing: raw)
            let t1 = clock.now
            guard let inbound = session.receive(message) else { fatalError("no inbound message for \(message)") }
            let t2 = clock.now
            await gateway.receive(inbound)
            let t3 = clock.now
            let items = await outbox.pending(network: BotSession.network, limit: 100)
            let t4 = clock.now
            guard let item = items.first else { fatalError("no reply stored") }
            let wire = session.deliver(item)
            let t5 = clock.now

            guard !wire.isEmpty else { fatalError("reply rendered to nothing") }
            if session.confirm(item.id, wire: wire) { confirmed += 1 }
            await outbox.markDelivered(item.id)
            if index >= warmup {
                totals.append(t5 - t0)
                for (stage, sample) in [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4].enumerated() {
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
        let outbox = InMemoryOutbox()
        let dispatcher = OutboxDispatcher(outbox: outbox, tick: .seconds(2))
        let gateway = makeGateway(outbox: outbox, dispatcher: dispatcher)
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
            let bytes = Self.commandLine(index, number: 1000 + index)
            session.advance(gap)

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
        written.yield(ContinuousClock.now)
        if session.confirm(item.id, wire: wire) { confirmed.add(1, ordering: .relaxed) }
    }
}
