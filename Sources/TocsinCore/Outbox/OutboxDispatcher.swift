import Logging
import Metrics
import Synchronization

/// Drains the ``Outbox`` into the chat transports, two delivery loops ("lanes") per network.
///
/// The urgent lane delivers critical and high announcements (``DeliveryPriority/urgent``), the
/// regular lane everything else. Each lane is sequential, but the two run side by side: a
/// transport's delivery can take a while (IRC flood control sends one line every ~2 s, and a reply
/// can be several lines), and a critical announcement must not wait for a reply already on its
/// way. The transports order what they have queued by the same ``DeliveryPriority``, so the urgent
/// line goes out next.
///
/// A lane wakes when something is enqueued for its network (``wake(network:)``), and one tick after
/// a pass that left something behind, so items held by a disconnect are retried without anyone
/// asking; a drained lane sleeps without a timer. After every
/// delivery a lane reads the outbox again if something was enqueued meanwhile, so a newer,
/// more important item is never stuck behind a page read earlier. An item is marked delivered only
/// after its transport confirmed it; a failure leaves it stored.
public final class OutboxDispatcher: Sendable {
    private let outbox: any Outbox
    private let logger: Logger
    private let tick: Duration
    private let batchSize: Int
    private let wakers = Mutex<[String: [AsyncStream<Void>.Continuation]]>([:])
    /// Bumped by every wake-up, so a lane knows its page may be stale.
    private let generations = Mutex<[String: UInt64]>([:])
    /// Per lane: items handed over right after their commit, and whether the lane's stored backlog
    /// is known to be empty (then those items are all there is, and go out without a read).
    private let memory = Mutex<[LaneKey: LaneMemory]>([:])

    private struct LaneKey: Hashable {
        var network: String
        var urgent: Bool
    }

    private struct LaneMemory {
        var fresh: [OutboxItem] = []
        /// The last pass read the lane's backlog to the end and delivered all of it.
        var drained = false
        /// Ids delivered lately, so an item handed over after the lane already read and sent it
        /// from the database is not sent twice.
        var recent: Set<Int64> = []
        var recentOrder: [Int64] = []

        mutating func remember(_ id: Int64) {
            guard recent.insert(id).inserted else { return }
            recentOrder.append(id)
            if recentOrder.count > LaneMemory.recentLimit { recent.remove(recentOrder.removeFirst()) }
        }

        static let recentLimit = 512
        /// Items kept in memory per lane at most; past that the lane reads them from the outbox.
        static let freshLimit = 1024
    }

    /// Deliveries marked in one write at most, and the longest a delivery waits to be marked.
    /// One, at once: with 64 / 250 ms, `faults.sh` saw two XMPP lines repeated after kill -9 where
    /// one is allowed; a crash must repeat at most the line in flight. (Batching without that cost
    /// needs a background marker that coalesces while a write is in flight — not done yet.)
    static let markBatch = 1
    static let markDelay: Duration = .zero

    public init(outbox: any Outbox, tick: Duration = .seconds(2), batchSize: Int = 100, logger: Logger = Logger(label: "tocsin.outbox")) {
        self.outbox = outbox
        self.tick = tick
        self.batchSize = batchSize
        self.logger = logger
    }

    /// Asks the network's loops to read the outbox now (a reconnect, items stored elsewhere). Safe
    /// to call from anywhere, any time.
    public func wake(network: String) {
        memory.withLock { lanes in
            for urgent in [true, false] { lanes[LaneKey(network: network, urgent: urgent), default: LaneMemory()].drained = false }
        }
        signal(network)
    }

    /// Hands over items just committed to the outbox, so they are sent from memory, without being
    /// read back, when nothing older waits (issue 11, item 2). The stored rows are for recovery.
    public func offer(_ items: [OutboxItem]) {
        guard !items.isEmpty else { return }
        var networks: Set<String> = []
        memory.withLock { lanes in
            for item in items {
                let key = LaneKey(network: item.message.destination.network, urgent: DeliveryPriority.urgent.contains(item.message.priority))
                var lane = lanes[key, default: LaneMemory()]
                if !lane.recent.contains(item.id) {
                    if lane.fresh.count < LaneMemory.freshLimit {
                        lane.fresh.append(item)
                    } else {
                        lane.drained = false
                    }
                }
                lanes[key] = lane
                networks.insert(key.network)
            }
        }
        for network in networks { signal(network) }
    }

    private func signal(_ network: String) {
        generations.withLock { $0[network, default: 0] &+= 1 }
        for waker in wakers.withLock({ $0[network] ?? [] }) { waker.yield() }
    }

    private func generation(_ network: String) -> UInt64 {
        generations.withLock { $0[network] ?? 0 }
    }

    /// Runs until cancelled, delivering for each transport.
    public func run(transports: [any ChatTransport]) async {
        await withDiscardingTaskGroup { group in
            for transport in transports {
                for lane in [DeliveryPriority.urgent, DeliveryPriority.regular] {
                    let (signals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
                    let (retries, retry) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
                    wakers.withLock { $0[transport.network, default: []].append(continuation) }
                    let key = LaneKey(network: transport.network, urgent: lane == DeliveryPriority.urgent)
                    group.addTask { await self.deliveryLoop(transport, priorities: lane, key: key, signals: signals, retry: retry) }
                    group.addTask { [tick] in
                        // The retry timer retries what a pass left behind (a held room, a lost
                        // connection, a failed read), one tick after that pass. It is armed only
                        // then: a drained lane has no timer at all, since every new row reaches it
                        // through `offer` or `wake` and leftovers of a crash are read by its first
                        // pass, so an idle gateway neither wakes nor reads the database (issue 11).
                        for await _ in retries {
                            guard (try? await Task.sleep(for: tick)) != nil else { break }
                            continuation.yield()
                        }
                        continuation.finish()
                    }
                }
            }
        }
        wakers.withLock { $0.removeAll() }
    }

    private func deliveryLoop(_ transport: any ChatTransport, priorities: ClosedRange<DeliveryPriority>, key: LaneKey,
                              signals: AsyncStream<Void>, retry: AsyncStream<Void>.Continuation) async {
        let network = transport.network
        let delivered = Counter(label: "tocsin_outbox_delivered_total", dimensions: [("network", network)])
        let failed = Counter(label: "tocsin_outbox_delivery_failures_total", dimensions: [("network", network)])
        var iterator = signals.makeAsyncIterator()
        repeat {
            await deliverPending(transport, priorities: priorities, delivered: delivered, failed: failed)
            // Something was left behind: try again in a tick (unless a wake-up comes first).
            if memory.withLock({ $0[key]?.drained != true }) { retry.yield() }
        } while await iterator.next() != nil
        retry.finish()
    }

    /// What a lane does after delivering or failing one item.
    private enum Step {
        case next
        /// The conversation cannot take messages now; its other items wait, other rooms go on.
        case holdRoom
        /// The connection is gone or the outbox failed: end the pass until the next wake-up.
        case stop
    }

    /// One pass over the backlog (of the priorities given). A room the bot is not in only holds back
    /// that room's messages; a lost connection ends the pass until the next wake-up.
    ///
    /// When the lane's stored backlog is known to be empty, items handed over by ``offer(_:)`` go
    /// out from memory; otherwise the outbox is read in keyset pages (`(priority, id)` after the
    /// last one, held-back rooms left out in SQL). Deliveries are marked in one write per page.
    func deliverPending(_ transport: any ChatTransport, priorities: ClosedRange<DeliveryPriority> = DeliveryPriority.all,
                        delivered: Counter, failed: Counter) async {
        let network = transport.network
        let key: LaneKey? = priorities == DeliveryPriority.urgent ? LaneKey(network: network, urgent: true)
            : priorities == DeliveryPriority.regular ? LaneKey(network: network, urgent: false) : nil
        var marks: [Int64] = []
        var firstUnmarked: ContinuousClock.Instant?
        /// After each delivery: marks wait for ``markBatch`` deliveries or ``markDelay``, whichever first.
        func flushIfDue() async {
            guard let first = firstUnmarked else { return }
            if marks.count >= Self.markBatch || ContinuousClock.now - first >= Self.markDelay { await flush() }
        }
        func flush() async {
            firstUnmarked = nil
            guard !marks.isEmpty else { return }
            do {
                try await outbox.markDelivered(marks)
            } catch {
                // Delivered but not marked: sent again after a restart, never lost.
                logger.error("cannot mark messages delivered", metadata: ["network": "\(network)", "count": "\(marks.count)", "error": "\(error)"])
            }
            marks.removeAll()
        }
        func send(_ item: OutboxItem, blocked: inout Set<ChatDestination>) async -> Step {
            do {
                try await transport.deliver(item)
                marks.append(item.id)
                if firstUnmarked == nil { firstUnmarked = .now }
                delivered.increment()
                if let key { memory.withLock { $0[key, default: LaneMemory()].remember(item.id) } }
                return .next
            } catch let error as TransportError {
                failed.increment()
                try? await outbox.recordFailedAttempt(item.id)
                if case .notConnected = error {
                    logger.debug("delivery paused", metadata: ["network": "\(network)", "reason": "\(error)"])
                    return .stop
                }
                blocked.insert(item.message.destination)
                logger.notice("delivery held back", metadata: ["destination": "\(item.message.destination)", "reason": "\(error)"])
                return .holdRoom
            } catch {
                failed.increment()
                try? await outbox.recordFailedAttempt(item.id)
                logger.warning("delivery failed", metadata: ["destination": "\(item.message.destination)", "error": "\(error)"])
                return .stop
            }
        }
        func setDrained(_ value: Bool) {
            guard let key else { return }
            memory.withLock { $0[key, default: LaneMemory()].drained = value }
        }

        while !Task.isCancelled {
            // Fast path: nothing older is stored, so what was just committed is all there is.
            if let key {
                let fresh: [OutboxItem]? = memory.withLock { lanes in
                    guard lanes[key]?.drained == true else { return nil }
                    let items = lanes[key]?.fresh ?? []
                    lanes[key]?.fresh.removeAll()
                    return items.filter { !(lanes[key]?.recent.contains($0.id) ?? false) }
                }
                if let fresh {
                    guard !fresh.isEmpty else { await flush(); return }
                    var blocked = Set<ChatDestination>()
                    for item in fresh.sorted(by: { ($0.message.priority, $0.id) < ($1.message.priority, $1.id) }) {
                        if blocked.contains(item.message.destination) { continue }
                        let step = await send(item, blocked: &blocked)
                        await flushIfDue()
                        if step != .next {
                            // The rest is stored: the next pass reads it.
                            setDrained(false)
                            if step == .stop { await flush(); return }
                        }
                    }
                    await flush()
                    continue
                }
            }
            // The stored backlog, in keyset pages. Fresh items are in it too.
            if let key { memory.withLock { $0[key]?.fresh.removeAll() } }
            var blocked = Set<ChatDestination>()
            var cursor: OutboxCursor?
            var finished = false
            pages: while !Task.isCancelled {
                // Marked before reading, so a page never returns what was just sent.
                await flush()
                let pageGeneration = generation(network)
                let page: [OutboxItem]
                do {
                    page = try await outbox.pending(network: network, priorities: priorities, after: cursor, skipping: blocked, limit: batchSize)
                } catch {
                    logger.error("cannot read the outbox", metadata: ["network": "\(network)", "error": "\(error)"])
                    return
                }
                if page.isEmpty { finished = true; break pages }
                for (index, item) in page.enumerated() where !blocked.contains(item.message.destination) {
                    // Something was enqueued since the page was read: it may go before the rest of
                    // the page, so read again from the start. The first item always goes, so a
                    // stream of wake-ups cannot stall the lane.
                    guard index == 0 || generation(network) == pageGeneration else {
                        cursor = nil
                        continue pages
                    }
                    if await send(item, blocked: &blocked) == .stop {
                        await flush()
                        setDrained(false)
                        return
                    }
                    await flushIfDue()
                    cursor = OutboxCursor(after: item)
                }
                if page.count < batchSize, generation(network) == pageGeneration { finished = true; break pages }
            }
            await flush()
            // Held-back rooms keep stored items the fast path would not know about.
            setDrained(finished && blocked.isEmpty)
            return
        }
    }
}
