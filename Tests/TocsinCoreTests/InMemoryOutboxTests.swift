import Testing
import TocsinCore

@Suite struct InMemoryOutboxTests {
    typealias F = Fixtures
    let ops = Fixtures.ops
    let db = ChatDestination.room("#db", on: Fixtures.network)

    func message(_ text: String, to destination: ChatDestination = Fixtures.ops, priority: DeliveryPriority = .normal,
                 dedupKey: String? = nil) -> OutboxMessage {
        OutboxMessage(destination: destination, text: RichText(plain: text), priority: priority, dedupKey: dedupKey)
    }

    @Test func enqueueReturnsWhatWasStoredWithRisingIDs() async throws {
        let outbox = InMemoryOutbox()
        let stored = await outbox.enqueue([message("a"), message("b")])
        #expect(stored.map(\.message.text.plainText) == ["a", "b"])
        try #require(stored.count == 2)
        #expect(stored[0].id < stored[1].id)
        #expect(stored.allSatisfy { $0.attempts == 0 })
    }

    @Test func sameKeyAndDestinationIsStoredOnce() async {
        let outbox = InMemoryOutbox()
        #expect(await outbox.enqueue([message("a", dedupKey: "event:1")]).count == 1)
        #expect(await outbox.enqueue([message("a again", dedupKey: "event:1")]).isEmpty)
        #expect(await outbox.pending(network: F.network, limit: 10).map(\.message.text.plainText) == ["a"])
    }

    @Test func sameKeyForAnotherRoomIsStored() async {
        let outbox = InMemoryOutbox()
        let stored = await outbox.enqueue([message("a", to: ops, dedupKey: "event:1"), message("a", to: db, dedupKey: "event:1")])
        #expect(stored.count == 2)
    }

    @Test func messagesWithoutKeyAreNeverDeduplicated() async {
        let outbox = InMemoryOutbox()
        #expect(await outbox.enqueue([message("ok"), message("ok")]).count == 2)
    }

    @Test func deliveredEventIsNotAnnouncedAgain() async throws {
        let outbox = InMemoryOutbox()
        let stored = try #require(await outbox.enqueue([message("a", dedupKey: "event:1")]).first)
        await outbox.markDelivered(stored.id)
        #expect(await outbox.enqueue([message("a", dedupKey: "event:1")]).isEmpty)
    }

    @Test func pendingIsByPriorityThenAgeForOneNetworkUpToTheLimit() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue([
            message("low", priority: .low), message("normal-1", priority: .normal), message("read-1", priority: .readReply),
            message("critical", priority: .critical), message("other network", to: .room("#ops", on: "oftc"), priority: .readReply),
            message("normal-2", priority: .normal), message("ack", priority: .writeReply), message("high", priority: .high),
        ])
        let pending = await outbox.pending(network: F.network, limit: 100).map(\.message.text.plainText)
        #expect(pending == ["critical", "high", "ack", "normal-1", "normal-2", "read-1", "low"])
        #expect(await outbox.pending(network: F.network, limit: 2).map(\.message.text.plainText) == ["critical", "high"])
        #expect(await outbox.pending(network: "oftc", limit: 100).map(\.message.text.plainText) == ["other network"])
    }

    @Test func deliveredItemsLeaveThePendingListAndTheBacklog() async throws {
        let outbox = InMemoryOutbox()
        let stored = await outbox.enqueue([message("a"), message("b"), message("c", to: .room("#x", on: "oftc"))])
        try #require(stored.count == 3)
        #expect(await outbox.backlog() == [F.network: 2, "oftc": 1])
        await outbox.markDelivered(stored[0].id)
        #expect(await outbox.pending(network: F.network, limit: 10).map(\.id) == [stored[1].id])
        #expect(await outbox.backlog() == [F.network: 1, "oftc": 1])
    }

    @Test func failedAttemptsAreCounted() async throws {
        let outbox = InMemoryOutbox()
        let stored = try #require(await outbox.enqueue([message("a")]).first)
        await outbox.recordFailedAttempt(stored.id)
        await outbox.recordFailedAttempt(stored.id)
        #expect(await outbox.pending(network: F.network, limit: 1).first?.attempts == 2)
        await outbox.recordFailedAttempt(999) // unknown ids are ignored
    }

    @Test(arguments: [(Severity?.some(.critical), Urgency.low, DeliveryPriority.critical), (.error, .low, .high),
                      (.warning, .high, .normal), (.info, .high, .low), (nil, .high, .high), (nil, .low, .normal)])
    func announcementPriorityFollowsSeverityThenUrgency(_ severity: Severity?, _ urgency: Urgency, _ expected: DeliveryPriority) {
        #expect(DeliveryPriority.announcement(for: F.incident(1, urgency: urgency, severity: severity)) == expected)
    }

    @Test func criticalAndHighGoFirstThenWriteAcksThenNormalThenReadRepliesThenLow() {
        #expect(DeliveryPriority.allCases.sorted() == [.critical, .high, .writeReply, .normal, .readReply, .low])
        #expect(DeliveryPriority.urgent.contains(.critical) && DeliveryPriority.urgent.contains(.high))
        #expect(!DeliveryPriority.urgent.contains(.writeReply) && !DeliveryPriority.regular.contains(.high))
        #expect(!DeliveryPriority.foldable.contains(.high) && !DeliveryPriority.foldable.contains(.writeReply))
    }
}
