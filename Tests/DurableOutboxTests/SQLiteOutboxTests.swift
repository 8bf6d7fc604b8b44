import DurableOutbox
import EmbeddedIncidents
import Foundation
import GRDB
import Testing
import TocsinCore
import TocsinStorage

@Suite("SQLite outbox")
struct SQLiteOutboxTests {
    let clock = TestClock()

    func makeOutbox(_ database: any DatabaseWriter) throws -> SQLiteOutbox {
        try SQLiteOutbox(database: database, now: { [clock] in clock.now })
    }

    @Test func enqueueSkipsDedupKeysAlreadyStoredForTheDestination() async throws {
        let outbox = try makeOutbox(DatabaseQueue())

        let first = try await outbox.enqueue([message("a", to: ops, key: "event:1"), message("a", to: dev, key: "event:1")])
        #expect(first.count == 2, "the same key in another room is another message")

        let again = try await outbox.enqueue([message("a", to: ops, key: "event:1"), message("b", to: ops, key: "event:2")])
        #expect(again.texts == ["b"])

        try await outbox.markDelivered(first[0].id)
        #expect(try await outbox.enqueue([message("a", to: ops, key: "event:1")]).isEmpty, "delivered keys are remembered too")
    }

    @Test func duplicatesWithinOneBatchAreStoredOnce() async throws {
        let outbox = try makeOutbox(DatabaseQueue())
        let stored = try await outbox.enqueue([message("a", key: "k"), message("a again", key: "k"), message("b", key: "other")])
        #expect(stored.texts == ["a", "b"])
        #expect(try await outbox.pending(network: "libera", limit: 10).texts == ["a", "b"])
    }

    @Test func messagesWithoutKeyAreNeverDeduplicated() async throws {
        let outbox = try makeOutbox(DatabaseQueue())
        _ = try await outbox.enqueue([message("same"), message("same")])
        _ = try await outbox.enqueue([message("same")])
        #expect(try await outbox.backlog() == ["libera": 3])
    }

    @Test func enqueueReturnsStoredItemsWithIDsAndTime() async throws {
        let outbox = try makeOutbox(DatabaseQueue())
        let stored = try await outbox.enqueue([message("a"), message("b")])
        #expect(stored.map(\.id) == [1, 2])
        #expect(stored.allSatisfy { $0.createdAt == TestClock.epoch && $0.attempts == 0 })
    }

    @Test func pendingIsOneNetworkByPriorityThenAge() async throws {
        let outbox = try makeOutbox(DatabaseQueue())
        _ = try await outbox.enqueue([
            message("low", priority: .low),
            message("critical 1", priority: .critical),
            message("elsewhere", to: xmppRoom, priority: .readReply),
            message("normal", to: dev, priority: .normal),
            message("incidents", priority: .readReply),
            message("ack", priority: .writeReply),
            message("critical 2", to: dev, priority: .critical),
        ])

        let pending = try await outbox.pending(network: "libera", limit: 10)
        #expect(pending.texts == ["critical 1", "critical 2", "ack", "normal", "incidents", "low"])
        #expect(try await outbox.pending(network: "libera", limit: 2).texts == ["critical 1", "critical 2"])
        #expect(try await outbox.pending(network: "jabber", limit: 10).texts == ["elsewhere"])
        #expect(try await outbox.pending(network: "nowhere", limit: 10).isEmpty)
    }

    @Test func deliveredItemsLeavePendingAndBacklog() async throws {
        let outbox = try makeOutbox(DatabaseQueue())
        let stored = try await outbox.enqueue([message("a"), message("b"), message("c", to: xmppRoom)])

        try await outbox.markDelivered(stored[0].id)
        try await outbox.markDelivered(stored[0].id)
        try await outbox.markDelivered(999)

        #expect(try await outbox.pending(network: "libera", limit: 10).texts == ["b"])
        #expect(try await outbox.backlog() == ["libera": 1, "jabber": 1])
        try await outbox.markDelivered(stored[1].id)
        #expect(try await outbox.backlog() == ["jabber": 1])
    }

    @Test func failedAttemptsAreCountedAndTheItemStays() async throws {
        let outbox = try makeOutbox(DatabaseQueue())
        let stored = try await outbox.enqueue([message("a")])
        try await outbox.recordFailedAttempt(stored[0].id)
        try await outbox.recordFailedAttempt(stored[0].id)

        let pending = try await outbox.pending(network: "libera", limit: 10)
        #expect(pending.map(\.attempts) == [2])
    }

    @Test func messagesRoundTripWithStylingThreadAndConversation() async throws {
        let outbox = try makeOutbox(DatabaseQueue())
        let text = RichText(lines: [
            [.plain("p"), .bold("b"), .italic("i"), .code("c"), .tone(.critical, "t"), .link("https://example.com")],
            [.plain("second line with ünïcode and \"quotes\"")],
        ])
        let original = OutboxMessage(destination: ChatDestination(network: "libera", conversation: .direct("alice")), text: text,
                                     priority: .writeReply, inReplyTo: "msgid-42", dedupKey: "reply:1")
        _ = try await outbox.enqueue([original])

        let item = try #require(try await outbox.pending(network: "libera", limit: 1).first)
        #expect(item.message == original)
        #expect(item.createdAt == TestClock.epoch)
    }

    @Test func aNewProcessSeesUndeliveredItems() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("tocsin.sqlite")
        do {
            let outbox = try makeOutbox(try TocsinDatabase.open(path: path))
            let stored = try await outbox.enqueue([message("delivered", key: "k1"), message("waiting", key: "k2"),
                                                   message("also waiting", to: xmppRoom, priority: .critical)])
            try await outbox.markDelivered(stored[0].id)
            try await outbox.recordFailedAttempt(stored[1].id)
        }

        let restarted = try makeOutbox(try TocsinDatabase.open(path: path))

        let pending = try await restarted.pending(network: "libera", limit: 10)
        #expect(pending.texts == ["waiting"])
        #expect(pending.first?.attempts == 1)
        #expect(try await restarted.backlog() == ["libera": 1, "jabber": 1])
        #expect(try await restarted.enqueue([message("delivered", key: "k1")]).isEmpty, "dedup keys survive the restart")
        let fresh = try await restarted.enqueue([message("new")])
        #expect(try #require(fresh.first).id > 3, "ids are never reused")
    }

    @Test func purgeForgetsOldDeliveredMessagesOnly() async throws {
        let outbox = try makeOutbox(DatabaseQueue())
        let stored = try await outbox.enqueue([message("old", key: "k"), message("waiting")])
        try await outbox.markDelivered(stored[0].id)
        clock.advance(by: 2 * 86400)

        let purged = try await outbox.purgeDelivered(olderThan: 86400, now: clock.now)

        #expect(purged == 1)
        #expect(try await outbox.pending(network: "libera", limit: 10).texts == ["waiting"])
        #expect(try await outbox.enqueue([message("old", key: "k")]).count == 1, "a purged key can be used again")
    }
}
