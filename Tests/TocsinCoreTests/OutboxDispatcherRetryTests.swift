import Metrics
import Synchronization
import Testing
@testable import TocsinCore

/// The dispatcher's retry timer (issue 11, item 4): armed only by a pass that left something
/// behind, so a drained gateway sleeps without reading the outbox (and, since the timer is not
/// armed, without waking: `idle-cpu.sh` measures that part).
@Suite struct OutboxDispatcherRetryTests {
    /// Counts the outbox reads (`pending`), the work an idle tick would do.
    final class CountingOutbox: Outbox {
        let base = InMemoryOutbox()
        let reads = Mutex(0)
        func enqueue(_ messages: [OutboxMessage]) async throws -> [OutboxItem] { await base.enqueue(messages) }
        func pending(network: String, priorities: ClosedRange<DeliveryPriority>, limit: Int) async throws -> [OutboxItem] {
            reads.withLock { $0 += 1 }
            return await base.pending(network: network, priorities: priorities, limit: limit)
        }
        func pending(network: String, priorities: ClosedRange<DeliveryPriority>, after cursor: OutboxCursor?,
                     skipping blocked: Set<ChatDestination>, limit: Int) async throws -> [OutboxItem] {
            reads.withLock { $0 += 1 }
            return try await base.pending(network: network, priorities: priorities, after: cursor, skipping: blocked, limit: limit)
        }
        func markDelivered(_ id: Int64) async throws { await base.markDelivered(id) }
        func markDelivered(_ ids: [Int64]) async throws { try await base.markDelivered(ids) }
        func recordFailedAttempt(_ id: Int64) async throws { await base.recordFailedAttempt(id) }
        func backlog() async throws -> [String: Int] { await base.backlog() }
    }

    func message(_ text: String) -> OutboxMessage {
        OutboxMessage(destination: Fixtures.ops, text: RichText(plain: text), priority: .normal)
    }

    @Test func whatAPassLeftBehindIsRetriedAfterATickWithoutAWakeUp() async throws {
        let outbox = CountingOutbox()
        _ = try await outbox.enqueue([message("held by a disconnect")])
        let refusals = Mutex(2)
        let transport = FakeChatTransport { _ in
            refusals.withLock { left in
                guard left > 0 else { return nil }
                left -= 1
                return TransportError.notConnected(network: Fixtures.network)
            }
        }
        let dispatcher = OutboxDispatcher(outbox: outbox, tick: .milliseconds(20))
        let task = Task { await dispatcher.run(transports: [transport]) }
        #expect(await eventually { transport.delivered.count == 1 })
        task.cancel()
        await task.value
        #expect(transport.attempts.count == 3)
    }

    @Test func aDrainedLaneDoesNotReadTheOutboxAgainWhileIdle() async throws {
        let outbox = CountingOutbox()
        _ = try await outbox.enqueue([message("left over")])
        let transport = FakeChatTransport()
        let dispatcher = OutboxDispatcher(outbox: outbox, tick: .milliseconds(10))
        let task = Task { await dispatcher.run(transports: [transport]) }
        #expect(await eventually { transport.delivered.count == 1 })
        try await Task.sleep(for: .milliseconds(100))
        let settled = outbox.reads.withLock { $0 }
        // Ten ticks later, still no read: nothing was left, so nothing is retried.
        try await Task.sleep(for: .milliseconds(150))
        let later = outbox.reads.withLock { $0 }
        task.cancel()
        await task.value
        #expect(later == settled)
    }
}
