import DurableOutbox
import EmbeddedIncidents
import Foundation
import GRDB
import Synchronization
import Testing
import TocsinCore
import TocsinStorage

/// Issue 11, items 2 and 3: what the one-write command path and the dispatcher's paging promise.
@Suite struct OneWritePathTests {
    let alice = ChatIdentity.irc(network: ops.network, account: "alice")

    /// A transport that, at the moment it is asked to send, looks the row up in the database.
    final class CheckingTransport: ChatTransport {
        let network: String
        let pool: DatabasePool
        let seenCommitted = Mutex<[Bool]>([])
        init(network: String, pool: DatabasePool) { self.network = network; self.pool = pool }
        func deliver(_ item: OutboxItem) async throws {
            let stored = try await pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox_messages WHERE id = ?", arguments: [item.id]) ?? 0
            }
            seenCommitted.withLock { $0.append(stored == 1) }
        }
    }

    @Test func replyAndAnnouncementAreCommittedBeforeTheyAreSent() async throws {
        let directory = TemporaryDirectory()
        let pool = try TocsinDatabase.open(path: directory.path("tocsin.sqlite"))
        let outbox = try SQLiteOutbox(database: pool)
        let router = Router(rules: [RouteRule(destination: ops)])
        let store = try EmbeddedIncidentStore(database: pool, services: [EmbeddedService(name: "api", team: nil)], events: TestRelay(),
                                              outbox: outbox, announcer: Announcer(router: router))
        _ = try await store.trigger(service: "api", title: "Disk full", by: Actor(email: "alice@example.org"))
        let handler = CommandHandler(parser: CommandParser(), policy: AuthorizationPolicy(identities: [alice: "alice@example.org"]), service: store)
        let dispatcher = OutboxDispatcher(outbox: outbox, tick: .seconds(3600))
        let gateway = Gateway(commands: handler, router: router, outbox: outbox, dispatcher: dispatcher)
        let transport = CheckingTransport(network: ops.network, pool: pool)
        let loop = Task { await dispatcher.run(transports: [transport]) }
        defer { loop.cancel() }
        await gateway.receive(InboundMessage(origin: ops, senderName: "alice", identity: alice, text: "!ack 1", botNames: ["tocsin"]))
        #expect(await eventually { transport.seenCommitted.withLock { $0.count } == 2 })
        #expect(transport.seenCommitted.withLock { $0 } == [true, true])
        #expect(await eventually { (try? await outbox.backlog().isEmpty) == true })
        let incident = try await store.details(of: 1)
        #expect(incident.incident.status == .acknowledged)
        #expect(incident.timeline.map(\.summary) == ["Triggered from chat", "Acknowledged"])
    }

    @Test func aFailedOutboxWriteRollsTheAcknowledgementBack() async throws {
        let directory = TemporaryDirectory()
        let pool = try TocsinDatabase.open(path: directory.path("tocsin.sqlite"))
        let outbox = try SQLiteOutbox(database: pool)
        let store = try EmbeddedIncidentStore(database: pool, services: [EmbeddedService(name: "api", team: nil)], events: TestRelay(),
                                              outbox: outbox, announcer: Announcer(router: Router(rules: [RouteRule(destination: ops)])))
        _ = try await store.trigger(service: "api", title: "Disk full", by: Actor(email: "alice@example.org"))
        try await pool.write { db in
            try db.execute(sql: "CREATE TRIGGER refuse BEFORE INSERT ON outbox_messages BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        }
        await #expect(throws: IncidentServiceError.self) {
            _ = try await store.transition([1], to: .acknowledged, by: Actor(email: "alice@example.org")) { _ in
                OutboxMessage(destination: ops, text: RichText(plain: "ok"), priority: .writeReply)
            }
        }
        #expect(try await store.details(of: 1).incident.status == .triggered, "no change without its reply and announcement")
    }

    @Test func blockedRoomIsSkippedInSQLNotReReadInGrowingPages() async throws {
        let directory = TemporaryDirectory()
        let log = StatementLog()
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            db.trace { event in if case .statement(let statement) = event { log.record(statement.sql) } }
        }
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: directory.path("tocsin.sqlite"), configuration: configuration)
        let outbox = try SQLiteOutbox(database: pool, bound: OutboxBound(maximumPending: 10_000))
        _ = try await outbox.enqueue((0..<250).map { message("dev \($0)", to: dev, priority: .writeReply) })
        _ = try await outbox.enqueue([message("ops line", to: ops, priority: .writeReply)])
        final class Transport: ChatTransport {
            let network = ops.network
            let sent = Mutex<[String]>([])
            func deliver(_ item: OutboxItem) async throws {
                if item.message.destination == dev { throw TransportError.notInRoom(network: network, room: "#dev") }
                sent.withLock { $0.append(item.message.text.plainText) }
            }
        }
        let transport = Transport()
        let dispatcher = OutboxDispatcher(outbox: outbox, tick: .seconds(3600), batchSize: 100)
        log.reset()
        let loop = Task { await dispatcher.run(transports: [transport]) }
        defer { loop.cancel() }
        #expect(await eventually { transport.sent.withLock { $0 } == ["ops line"] })
        try await Task.sleep(for: .milliseconds(100))
        let reads = log.all.filter { $0.contains("FROM outbox_messages") && $0.contains("priority BETWEEN") }
        // Urgent lane: one empty read. Regular lane: the first page (held room found), then one
        // page without it. The old loop read pages of 100, 200, 300 rows.
        #expect(reads.count == 3)
        #expect(reads.contains { $0.contains("AND NOT (conversationKind = ? AND conversation = ?)") })
    }

    @Test func compactTextKeepsEveryStyleAndOldJSONRowsStillRead() async throws {
        let directory = TemporaryDirectory()
        let pool = try TocsinDatabase.open(path: directory.path("tocsin.sqlite"))
        let outbox = try SQLiteOutbox(database: pool)
        let text = RichText(lines: [[.plain("a:1\u{3}"), .bold("#12"), .italic("é ✓"), .code(""), .link("https://x"), .tone(.critical, "[TRIGGERED]")],
                                    [.tone(.muted, "second line\n"), .tone(.success, "ok")]])
        _ = try await outbox.enqueue([OutboxMessage(destination: ops, text: text, priority: .normal)])
        let legacy = String(decoding: try JSONEncoder().encode(RichText(plain: "from before")), as: UTF8.self)
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO outbox_messages (network, conversationKind, conversation, text, priority, createdAt, attempts)
                VALUES (?, 'room', '#ops', ?, 40, 1750000000.0, 0)
                """, arguments: [ops.network, legacy])
        }
        let stored = try await outbox.pending(network: ops.network, limit: 10)
        #expect(stored.map(\.message.text) == [text, RichText(plain: "from before")])
        let column = try await pool.read { db in try String.fetchOne(db, sql: "SELECT text FROM outbox_messages ORDER BY id LIMIT 1") }
        #expect(column?.hasPrefix("{") == false, "not JSON")
        let types = try await pool.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT typeof(createdAt) FROM outbox_messages") }
        // NUMERIC affinity (DATETIME) stores a whole number of seconds as an integer: numbers, never text.
        #expect(!types.isEmpty && types.allSatisfy { $0 == "real" || $0 == "integer" })
    }
}

@Suite struct EpochDateMigrationTests {
    @Test func datesStoredAsTextBeforeAreConvertedToSecondsSince1970() async throws {
        let directory = TemporaryDirectory()
        let pool = try TocsinDatabase.open(path: directory.path("tocsin.sqlite"))
        // A database as the previous release left it: outbox_v1 + v2 applied, GRDB's text dates.
        try await pool.write { db in
            try db.execute(sql: """
                CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                INSERT INTO grdb_migrations VALUES ('outbox_v1'), ('outbox_v2_delivery_tiers');
                CREATE TABLE outbox_messages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, network TEXT NOT NULL,
                    conversationKind TEXT NOT NULL CHECK (conversationKind IN ('room', 'direct')), conversation TEXT NOT NULL,
                    text TEXT NOT NULL, priority INTEGER NOT NULL, inReplyTo TEXT, dedupKey TEXT,
                    createdAt DATETIME NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, lastAttemptAt DATETIME,
                    deliveredAt DATETIME, summarizedInto INTEGER);
                INSERT INTO outbox_messages (network, conversationKind, conversation, text, priority, createdAt, attempts)
                VALUES ('libera', 'room', '#ops', '{"lines":[[{"plain":{"_0":"old"}}]]}', 40, '2025-06-15 12:00:00.500', 0);
                """)
        }
        let outbox = try SQLiteOutbox(database: pool)
        let row = try await pool.read { db in try Row.fetchOne(db, sql: "SELECT typeof(createdAt) AS type, createdAt FROM outbox_messages") }
        #expect(row?["type"] == "real")
        let seconds: Double = try #require(row?["createdAt"])
        #expect(abs(seconds - 1_749_988_800.5) < 0.01)
        let items = try await outbox.pending(network: "libera", limit: 10)
        #expect(items.map(\.message.text.plainText) == ["old"])
        #expect(abs(items[0].createdAt.timeIntervalSince1970 - 1_749_988_800.5) < 0.01)
    }
}
