import DurableOutbox
import Foundation
import GRDB
import Testing
import TocsinCore

/// The per-room bound and the delivery order on a real SQLite file (WAL pool, as in production).
@Suite("SQLite outbox bound and order")
struct OutboxBoundTests {
    let clock = TestClock()
    let directory = TemporaryDirectory()

    func makeOutbox(maximumPending: Int = 200) throws -> SQLiteOutbox {
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: directory.path("tocsin.sqlite"))
        return try SQLiteOutbox(database: pool, bound: OutboxBound(maximumPending: maximumPending, publicURL: "https://tocsin.example.org"),
                                now: { [clock] in clock.now })
    }

    func waiting(_ outbox: SQLiteOutbox, in room: ChatDestination = ops) async throws -> [OutboxItem] {
        try await outbox.pending(network: room.network, limit: 10_000).filter { $0.message.destination == room }
    }

    @Test func aFloodOfReadRepliesIsFoldedIntoOneSummaryAndCriticalOnesAllStay() async throws {
        let outbox = try makeOutbox()
        _ = try await outbox.enqueue([message("critical 1", priority: .critical)])
        for index in 1...150 { _ = try await outbox.enqueue([message("incidents \(index)", priority: .readReply)]) }
        _ = try await outbox.enqueue([message("high 1", priority: .high), message("ack", priority: .writeReply)])
        for index in 151...236 { _ = try await outbox.enqueue([message("incidents \(index)", priority: .readReply)]) }
        _ = try await outbox.enqueue([message("critical 2", priority: .critical)])
        _ = try await outbox.enqueue([message("elsewhere", to: dev, priority: .readReply)])

        let items = try await waiting(outbox)
        #expect(items.count == 200)
        #expect(Array(items.texts.prefix(4)) == ["critical 1", "critical 2", "high 1", "ack"])
        let summaries = items.texts.filter { $0.hasPrefix("…") }
        // 240 messages + 1 summary − 200 = 41 folded, the oldest first.
        #expect(summaries == ["… and 41 older low-priority lines not shown: https://tocsin.example.org/incidents"])
        let reads = items.texts.filter { $0.hasPrefix("incidents") }
        #expect(reads.first == "incidents 42" && reads.last == "incidents 236")
        #expect(try await waiting(outbox, in: dev).texts == ["elsewhere"], "another room has its own bound")
    }

    @Test func lowerTiersAreFoldedFirstAndAWaitingSummaryIsUpdatedInPlace() async throws {
        let outbox = try makeOutbox(maximumPending: 10)
        _ = try await outbox.enqueue((1...6).map { message("normal \($0)", priority: .normal) })
        _ = try await outbox.enqueue((1...6).map { message("low \($0)", priority: .low) })
        var items = try await waiting(outbox)
        #expect(items.count == 10)
        #expect(items.texts.filter { $0.hasPrefix("normal") }.count == 6, "low announcements go before normal ones")
        #expect(items.texts.last == "… and 3 older low-priority lines not shown: https://tocsin.example.org/incidents")

        _ = try await outbox.enqueue((7...9).map { message("normal \($0)", priority: .normal) })
        items = try await waiting(outbox)
        #expect(items.count == 10)
        #expect(items.texts.filter { $0.hasPrefix("…") } == ["… and 6 older low-priority lines not shown: https://tocsin.example.org/incidents"])
        #expect(!items.texts.contains { $0.hasPrefix("low") })
    }

    @Test func criticalHighAndAcksAreNeverFoldedEvenPastTheBound() async throws {
        let outbox = try makeOutbox(maximumPending: 10)
        let priorities: [DeliveryPriority] = [.critical, .high, .writeReply]
        _ = try await outbox.enqueue((0..<15).map { message("urgent \($0)", priority: priorities[$0 % 3]) })
        let items = try await waiting(outbox)
        #expect(items.count == 15)
        #expect(!items.texts.contains { $0.hasPrefix("…") })
    }

    @Test func foldedRowsAreNotDeliveredAgainAfterARestart() async throws {
        var outbox = try makeOutbox(maximumPending: 10)
        _ = try await outbox.enqueue((1...20).map { message("read \($0)", priority: .readReply, key: "r\($0)") })
        outbox = try makeOutbox(maximumPending: 10)
        let items = try await waiting(outbox)
        #expect(items.count == 10)
        #expect(try await outbox.enqueue([message("read 1", priority: .readReply, key: "r1")]).isEmpty, "folded keys stay known")
    }

    @Test func rowsStoredUnderTheOldNumberingAreRenumberedCriticalFirst() async throws {
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: directory.path("old.sqlite"))
        // The outbox as the previous release left it: schema v1, replies stored as 0, critical as 1.
        try await pool.write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('outbox_v1');
                CREATE TABLE outbox_messages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, network TEXT NOT NULL, conversationKind TEXT NOT NULL,
                    conversation TEXT NOT NULL, text TEXT NOT NULL, priority INTEGER NOT NULL, inReplyTo TEXT, dedupKey TEXT,
                    createdAt DATETIME NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, lastAttemptAt DATETIME,
                    deliveredAt DATETIME, summarizedInto INTEGER);
                CREATE UNIQUE INDEX outbox_messages_dedup ON outbox_messages(dedupKey, network, conversationKind, conversation);
                """)
            for (text, priority) in [("old reply", 0), ("old low", 4), ("old critical", 1), ("old normal", 3), ("old high", 2)] {
                try db.execute(sql: """
                    INSERT INTO outbox_messages (network, conversationKind, conversation, text, priority, createdAt)
                    VALUES ('libera', 'room', '#ops', ?, ?, ?)
                    """, arguments: [#"{"lines":[[{"plain":{"_0":"\#(text)"}}]]}"#, priority, TestClock.epoch])
            }
        }
        let outbox = try SQLiteOutbox(database: pool, now: { [clock] in clock.now })
        let items = try await outbox.pending(network: "libera", limit: 10)
        #expect(items.texts == ["old critical", "old high", "old reply", "old normal", "old low"])
        #expect(items.map(\.message.priority) == [.critical, .high, .writeReply, .normal, .low])
    }
}
