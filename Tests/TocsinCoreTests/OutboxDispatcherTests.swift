import Metrics
import Testing
@testable import TocsinCore

@Suite struct OutboxDispatcherTests {
    typealias F = Fixtures
    let ops = Fixtures.ops
    let db = ChatDestination.room("#db", on: Fixtures.network)
    let delivered = Counter(label: "test_delivered")
    let failed = Counter(label: "test_failed")

    func message(_ text: String, to destination: ChatDestination = Fixtures.ops, priority: DeliveryPriority = .normal) -> OutboxMessage {
        OutboxMessage(destination: destination, text: RichText(plain: text), priority: priority)
    }

    func pendingTexts(_ outbox: InMemoryOutbox, network: String = Fixtures.network) async -> [String] {
        await outbox.pending(network: network, limit: 1000).map(\.message.text.plainText)
    }

    // MARK: one pass

    @Test func passDeliversByPriorityThenAgeAndEmptiesTheOutbox() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue([
            message("low", priority: .low), message("normal", priority: .normal), message("read-1", priority: .readReply),
            message("critical", priority: .critical), message("ack", priority: .writeReply), message("read-2", priority: .readReply),
        ])
        let transport = FakeChatTransport()
        await OutboxDispatcher(outbox: outbox).deliverPending(transport, delivered: delivered, failed: failed)
        #expect(transport.deliveredTexts == ["critical", "ack", "normal", "read-1", "read-2", "low"])
        #expect(await pendingTexts(outbox).isEmpty)
        #expect(await outbox.backlog().isEmpty)
    }

    @Test func passWorksThroughBacklogsLargerThanOneBatch() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue((1...25).map { message("m\($0)") })
        let transport = FakeChatTransport()
        await OutboxDispatcher(outbox: outbox, batchSize: 4).deliverPending(transport, delivered: delivered, failed: failed)
        #expect(transport.deliveredTexts == (1...25).map { "m\($0)" })
    }

    @Test func passDeliversOnlyItsOwnNetwork() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue([message("here"), message("there", to: .room("#ops", on: "oftc"))])
        let transport = FakeChatTransport()
        await OutboxDispatcher(outbox: outbox).deliverPending(transport, delivered: delivered, failed: failed)
        #expect(transport.deliveredTexts == ["here"])
        #expect(await pendingTexts(outbox, network: "oftc") == ["there"])
    }

    @Test func notConnectedEndsThePassAndKeepsEverything() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue([message("a"), message("b", to: db), message("c")])
        let transport = FakeChatTransport { _ in TransportError.notConnected(network: F.network) }
        await OutboxDispatcher(outbox: outbox).deliverPending(transport, delivered: delivered, failed: failed)
        #expect(transport.attempts.count == 1)
        #expect(await pendingTexts(outbox) == ["a", "b", "c"])
        #expect(await outbox.pending(network: F.network, limit: 1).first?.attempts == 1)
    }

    @Test func notInRoomHoldsBackOnlyThatRoom() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue([message("db-1", to: db), message("ops-1"), message("db-2", to: db), message("ops-2")])
        let transport = FakeChatTransport { item in
            item.message.destination == ChatDestination.room("#db", on: F.network)
                ? TransportError.notInRoom(network: F.network, room: "#db") : nil
        }
        await OutboxDispatcher(outbox: outbox).deliverPending(transport, delivered: delivered, failed: failed)
        #expect(transport.deliveredTexts == ["ops-1", "ops-2"])
        #expect(transport.attempts.map(\.message.text.plainText) == ["db-1", "ops-1", "ops-2"])
        #expect(await pendingTexts(outbox) == ["db-1", "db-2"])
    }

    @Test func heldBackRoomFillingWholeBatchesDoesNotHideOtherRooms() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue((1...7).map { message("db-\($0)", to: db) } + [message("ops")])
        let transport = FakeChatTransport { item in
            item.message.destination.conversation == .room("#db") ? TransportError.notInRoom(network: F.network, room: "#db") : nil
        }
        await OutboxDispatcher(outbox: outbox, batchSize: 2).deliverPending(transport, delivered: delivered, failed: failed)
        #expect(transport.deliveredTexts == ["ops"])
        #expect(await pendingTexts(outbox).count == 7)
    }

    @Test func timeoutHoldsBackTheRoomLikeNotInRoom() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue([message("db", to: db), message("ops")])
        let transport = FakeChatTransport { item in
            item.message.destination.conversation == .room("#db") ? TransportError.timedOut(network: F.network) : nil
        }
        await OutboxDispatcher(outbox: outbox).deliverPending(transport, delivered: delivered, failed: failed)
        #expect(transport.deliveredTexts == ["ops"])
        #expect(await pendingTexts(outbox) == ["db"])
    }

    @Test func unexpectedErrorEndsThePass() async {
        struct Boom: Error {}
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue([message("a"), message("b")])
        let transport = FakeChatTransport { _ in Boom() }
        await OutboxDispatcher(outbox: outbox).deliverPending(transport, delivered: delivered, failed: failed)
        #expect(transport.attempts.count == 1)
        #expect(await pendingTexts(outbox) == ["a", "b"])
    }

    @Test func unreadableOutboxEndsThePassQuietly() async {
        let transport = FakeChatTransport()
        await OutboxDispatcher(outbox: BrokenOutbox()).deliverPending(transport, delivered: delivered, failed: failed)
        #expect(transport.attempts.isEmpty)
    }

    // MARK: the running loop

    /// Runs the dispatcher while `body` executes, then cancels it and waits for it to stop.
    func whileRunning(_ dispatcher: OutboxDispatcher, _ transports: [FakeChatTransport], _ body: () async -> Void) async {
        let task = Task { await dispatcher.run(transports: transports) }
        await body()
        task.cancel()
        await task.value
    }

    @Test func runDeliversWhatWasWaitingAtStart() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue([message("left over from a crash")])
        let transport = FakeChatTransport()
        await whileRunning(OutboxDispatcher(outbox: outbox, tick: .seconds(3600)), [transport]) {
            #expect(await eventually { transport.delivered.count == 1 })
        }
        #expect(transport.deliveredTexts == ["left over from a crash"])
    }

    @Test func wakeDeliversWithoutWaitingForTheTick() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue([message("first")])
        let transport = FakeChatTransport()
        let dispatcher = OutboxDispatcher(outbox: outbox, tick: .seconds(3600))
        await whileRunning(dispatcher, [transport]) {
            // Once the first item is out the loop is idle, waiting for a signal; the tick is an hour away.
            #expect(await eventually { transport.delivered.count == 1 })
            _ = await outbox.enqueue([message("second")])
            dispatcher.wake(network: F.network)
            #expect(await eventually { transport.delivered.count == 2 })
        }
        #expect(transport.deliveredTexts == ["first", "second"])
    }

    @Test func wakeForAnotherNetworkLeavesThisOneAlone() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue([message("first"), message("elsewhere", to: .room("#x", on: "oftc"))])
        let libera = FakeChatTransport()
        let oftc = FakeChatTransport(network: "oftc")
        let dispatcher = OutboxDispatcher(outbox: outbox, tick: .seconds(3600))
        await whileRunning(dispatcher, [libera, oftc]) {
            #expect(await eventually { libera.delivered.count == 1 && oftc.delivered.count == 1 })
            _ = await outbox.enqueue([message("second")])
            dispatcher.wake(network: "oftc")
            try? await Task.sleep(for: .milliseconds(50))
            #expect(libera.delivered.count == 1)
            dispatcher.wake(network: F.network)
            #expect(await eventually { libera.delivered.count == 2 })
        }
    }

    /// Idle when idle: a lane that delivered everything is not made to read the outbox by the tick;
    /// new rows reach it through `wake`/`offer` (a row stored behind its back shows that).
    @Test func tickLeavesADrainedLaneAlone() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue([message("first")])
        let transport = FakeChatTransport()
        let dispatcher = OutboxDispatcher(outbox: outbox, tick: .milliseconds(20))
        await whileRunning(dispatcher, [transport]) {
            #expect(await eventually { transport.delivered.count == 1 })
            _ = await outbox.enqueue([message("stored without a wake-up")])
            try? await Task.sleep(for: .milliseconds(200))
            #expect(transport.delivered.count == 1)
            dispatcher.wake(network: F.network)
            #expect(await eventually { transport.delivered.count == 2 })
        }
    }

    @Test func tickRetriesAfterTheConnectionComesBack() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue([message("a"), message("b")])
        let transport = FakeChatTransport { _ in TransportError.notConnected(network: F.network) }
        await whileRunning(OutboxDispatcher(outbox: outbox, tick: .milliseconds(20)), [transport]) {
            #expect(await eventually { !transport.attempts.isEmpty })
            #expect(transport.delivered.isEmpty)
            transport.setFailure { _ in nil }
            #expect(await eventually { transport.delivered.count == 2 })
        }
        #expect(await pendingTexts(outbox).isEmpty)
    }
}
