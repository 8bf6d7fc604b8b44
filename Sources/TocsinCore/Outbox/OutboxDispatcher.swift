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
/// A lane wakes when something is enqueued for its network (``wake(network:)``) or on a periodic
/// tick, so items left by a crash or a disconnect are retried without anyone asking. After every
/// delivery a lane reads the outbox again if something was enqueued meanwhile, so a newer,
/// more important item is never stuck behind a page read earlier. An item is marked delivered only
/// after its transport confirmed it; a failure leaves it stored.
public final class OutboxDispatcher: Sendable {
    private let outbox: any Outbox
    private let logger: Logger
    private let tick: Duration
    private let batchSize: Int
    private let wakers = Mutex<[String: [AsyncStream<Void>.Continuation]]>([:])
    /// Bumped by every ``wake(network:)``, so a lane knows its page may be stale.
    private let generations = Mutex<[String: UInt64]>([:])

    public init(outbox: any Outbox, tick: Duration = .seconds(2), batchSize: Int = 100, logger: Logger = Logger(label: "tocsin.outbox")) {
        self.outbox = outbox
        self.tick = tick
        self.batchSize = batchSize
        self.logger = logger
    }

    /// Asks the network's loop to look at the outbox now. Safe to call from anywhere, any time.
    public func wake(network: String) {
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
                    wakers.withLock { $0[transport.network, default: []].append(continuation) }
                    group.addTask { await self.deliveryLoop(transport, priorities: lane, signals: signals) }
                    group.addTask { [tick] in
                        while (try? await Task.sleep(for: tick)) != nil { continuation.yield() }
                        continuation.finish()
                    }
                }
            }
        }
        wakers.withLock { $0.removeAll() }
    }

    private func deliveryLoop(_ transport: any ChatTransport, priorities: ClosedRange<DeliveryPriority>, signals: AsyncStream<Void>) async {
        let network = transport.network
        let delivered = Counter(label: "tocsin_outbox_delivered_total", dimensions: [("network", network)])
        let failed = Counter(label: "tocsin_outbox_delivery_failures_total", dimensions: [("network", network)])
        var iterator = signals.makeAsyncIterator()
        repeat {
            await deliverPending(transport, priorities: priorities, delivered: delivered, failed: failed)
        } while await iterator.next() != nil
    }

    /// One pass over the backlog (of the priorities given). A room the bot is not in only holds back
    /// that room's messages; a lost connection ends the pass until the next wake-up.
    func deliverPending(_ transport: any ChatTransport, priorities: ClosedRange<DeliveryPriority> = DeliveryPriority.all,
                        delivered: Counter, failed: Counter) async {
        let network = transport.network
        var blockedRooms = Set<ChatDestination>()
        // Grows when a whole page belongs to held-back rooms, so their backlog cannot hide other rooms' items.
        var limit = batchSize
        while !Task.isCancelled {
            let page: [OutboxItem]
            let pageGeneration = generation(network)
            do {
                page = try await outbox.pending(network: network, priorities: priorities, limit: limit)
            } catch {
                logger.error("cannot read the outbox", metadata: ["network": "\(network)", "error": "\(error)"])
                return
            }
            let items = page.filter { !blockedRooms.contains($0.message.destination) }
            if items.isEmpty {
                guard !page.isEmpty, page.count >= limit else { return }
                limit += batchSize
                continue
            }
            for (index, item) in items.enumerated() where !blockedRooms.contains(item.message.destination) {
                // Something was enqueued since the page was read: it may go before the rest of the
                // page. The first item always goes, so a stream of wake-ups cannot stall the lane.
                guard index == 0 || generation(network) == pageGeneration else { break }
                do {
                    try await transport.deliver(item)
                    try await outbox.markDelivered(item.id)
                    delivered.increment()
                } catch let error as TransportError {
                    failed.increment()
                    try? await outbox.recordFailedAttempt(item.id)
                    if case .notConnected = error {
                        logger.debug("delivery paused", metadata: ["network": "\(network)", "reason": "\(error)"])
                        return
                    }
                    blockedRooms.insert(item.message.destination)
                    logger.notice("delivery held back", metadata: ["destination": "\(item.message.destination)", "reason": "\(error)"])
                } catch {
                    failed.increment()
                    try? await outbox.recordFailedAttempt(item.id)
                    logger.warning("delivery failed", metadata: ["destination": "\(item.message.destination)", "error": "\(error)"])
                    return
                }
            }
        }
    }
}
