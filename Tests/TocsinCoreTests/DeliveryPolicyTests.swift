import Metrics
import Synchronization
import Testing
@testable import TocsinCore

/// A transport whose deliveries of one priority wait until the test lets them go, so a test can
/// hold a reply "on the wire" (IRC flood control) and watch what else gets through meanwhile.
final class GatedTransport: ChatTransport {
    let network = Fixtures.network
    private let state = Mutex<(delivered: [String], held: [CheckedContinuation<Void, Never>])>(([], []))
    let holds: DeliveryPriority
    /// Called during a delivery (before it completes), e.g. to enqueue something meanwhile.
    let during: @Sendable (OutboxItem) async -> Void

    init(holding priority: DeliveryPriority, during: @escaping @Sendable (OutboxItem) async -> Void = { _ in }) {
        holds = priority
        self.during = during
    }

    func deliver(_ item: OutboxItem) async throws {
        await during(item)
        if item.message.priority == holds {
            await withCheckedContinuation { continuation in state.withLock { $0.held.append(continuation) } }
        }
        state.withLock { $0.delivered.append(item.message.text.plainText) }
    }

    var delivered: [String] { state.withLock { $0.delivered } }
    var heldCount: Int { state.withLock { $0.held.count } }

    func release() {
        for continuation in state.withLock({ state in defer { state.held = [] }; return state.held }) { continuation.resume() }
    }
}

@Suite struct DeliveryPolicyTests {
    typealias F = Fixtures

    func message(_ text: String, priority: DeliveryPriority) -> OutboxMessage {
        OutboxMessage(destination: F.ops, text: RichText(plain: text), priority: priority)
    }

    @Test func criticalAnnouncementIsNotHeldBehindAReplyAlreadyOnItsWay() async {
        let outbox = InMemoryOutbox()
        let dispatcher = OutboxDispatcher(outbox: outbox, tick: .seconds(3600))
        let transport = GatedTransport(holding: .readReply)
        let running = Task { await dispatcher.run(transports: [transport]) }
        _ = await outbox.enqueue([message("open incidents…", priority: .readReply)])
        dispatcher.wake(network: F.network)
        #expect(await eventually { transport.heldCount == 1 })
        _ = await outbox.enqueue([message("[TRIGGERED] #9 database down", priority: .critical)])
        dispatcher.wake(network: F.network)
        let overtook = await eventually { transport.delivered == ["[TRIGGERED] #9 database down"] }
        transport.release()
        running.cancel()
        await running.value
        #expect(overtook, "the critical announcement waited for the reply: \(transport.delivered)")
    }

    @Test func somethingMoreUrgentEnqueuedDuringAPassGoesBeforeTheRestOfThePage() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue((1...3).map { message("read-\($0)", priority: .readReply) })
        let dispatcher = OutboxDispatcher(outbox: outbox, tick: .seconds(3600))
        let enqueued = Mutex(false)
        let transport = GatedTransport(holding: .low) { item in
            guard item.message.text.plainText == "read-1" else { return }
            let already = enqueued.withLock { done in
                let was = done
                done = true
                return was
            }
            guard !already else { return }
            _ = await outbox.enqueue([OutboxMessage(destination: F.ops, text: RichText(plain: "ack"), priority: .writeReply)])
            dispatcher.wake(network: F.network)
        }
        await dispatcher.deliverPending(transport, delivered: Counter(label: "d"), failed: Counter(label: "f"))
        #expect(transport.delivered == ["read-1", "ack", "read-2", "read-3"])
    }

    // MARK: reply priorities

    func gateway(_ outbox: InMemoryOutbox) -> Gateway {
        let handler = CommandHandler(parser: CommandParser(), policy: AuthorizationPolicy(identities: [F.alice: "alice@example.org"]),
                                     service: FakeIncidentService())
        return Gateway(commands: handler, router: Router(rules: []), outbox: outbox, dispatcher: OutboxDispatcher(outbox: outbox))
    }

    @Test(arguments: [
        ("!ack 4", true, DeliveryPriority.writeReply), ("!incidents", true, .readReply), ("!help", true, .readReply),
        ("!ack 4", false, .readReply), ("!frobnicate", true, .readReply), ("!ack x", true, .readReply),
    ])
    func repliesToAllowedWritesAreAcksEverythingElseIsARead(_ text: String, _ verified: Bool, _ expected: DeliveryPriority) async {
        let outbox = InMemoryOutbox()
        await gateway(outbox).receive(F.message(text, identity: verified ? F.alice : nil))
        let items = await outbox.pending(network: F.network, limit: 10)
        #expect(items.map(\.message.priority) == [expected])
    }

    @Test func readRepliesNeverGoAheadOfCriticalOrHighAnnouncements() async {
        let outbox = InMemoryOutbox()
        let gateway = gateway(outbox)
        for _ in 1...12 { await gateway.receive(F.message("!incidents", from: "mallory", identity: nil)) }
        await gateway.receive(F.message("!ack 4"))
        _ = await outbox.enqueue([message("high", priority: .high), message("critical", priority: .critical)])
        let order = await outbox.pending(network: F.network, limit: 100).map(\.message.priority)
        #expect(Array(order.prefix(3)) == [.critical, .high, .writeReply])
        #expect(order.dropFirst(3).allSatisfy { $0 == .readReply })
    }

    // MARK: per-room bound (in memory; the SQLite one is in DurableOutboxTests)

    @Test func roomPastItsBoundFoldsOldestLowPriorityLinesIntoOneSummary() async {
        let outbox = InMemoryOutbox(bound: OutboxBound(maximumPending: 10, publicURL: "https://tocsin.example.org/"))
        _ = await outbox.enqueue([message("critical", priority: .critical)])
        _ = await outbox.enqueue((1...8).map { message("read-\($0)", priority: .readReply) })
        _ = await outbox.enqueue([message("ack", priority: .writeReply), message("high", priority: .high)])
        for index in 9...20 { _ = await outbox.enqueue([message("read-\(index)", priority: .readReply)]) }
        let texts = await outbox.pending(network: F.network, limit: 100).map(\.message.text.plainText)
        #expect(texts.count == 10)
        #expect(Array(texts.prefix(3)) == ["critical", "high", "ack"])
        #expect(texts.filter { $0.hasPrefix("…") } == ["… and 14 older low-priority lines not shown: https://tocsin.example.org/incidents"])
        #expect(Array(texts.dropFirst(3).filter { $0.hasPrefix("read") }) == (15...20).map { "read-\($0)" }, "the newest stay")
    }

    @Test func criticalAndHighAnnouncementsAreNeverFolded() async {
        let outbox = InMemoryOutbox(bound: OutboxBound(maximumPending: 10))
        _ = await outbox.enqueue((1...15).map { message("critical-\($0)", priority: $0.isMultiple(of: 2) ? .critical : .high) })
        let texts = await outbox.pending(network: F.network, limit: 100).map(\.message.text.plainText)
        #expect(texts.count == 15)
        #expect(!texts.contains { $0.hasPrefix("…") })
    }
}
