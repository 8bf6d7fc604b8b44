import DurableOutbox
import EmbeddedIncidents
import Foundation
import GRDB
import Synchronization
import Testing
import TocsinCore
import TocsinStorage

/// Every SQL statement SQLite runs on the pool, in order (GRDB's trace).
final class StatementLog: Sendable {
    private let lines = Mutex<[String]>([])

    func record(_ sql: String) { lines.withLock { $0.append(sql) } }
    var all: [String] { lines.withLock { $0 } }
    func reset() { lines.withLock { $0.removeAll() } }
    /// Write transactions: `BEGIN IMMEDIATE` (GRDB's writes); reads are `BEGIN DEFERRED`.
    var writeTransactions: Int { all.filter { $0.hasPrefix("BEGIN IMMEDIATE") }.count }
    var statements: [String] { all.filter { !$0.hasPrefix("BEGIN") && !$0.hasPrefix("COMMIT") && !$0.hasPrefix("ROLLBACK") } }
}

/// Breaks the store ↔ gateway construction cycle, as the assembly's EventRelay does.
final class TestRelay: IncidentEventSink {
    let target = Mutex<(any IncidentEventSink)?>(nil)
    func publish(_ event: IncidentEvent) async throws { try await target.withLock { $0 }?.publish(event) }
}

/// A transport that accepts everything and remembers what it was given.
final class RecordingTransport: ChatTransport {
    let network: String
    let delivered = Mutex<[OutboxItem]>([])
    init(network: String) { self.network = network }
    func deliver(_ item: OutboxItem) async throws { delivered.withLock { $0.append(item) } }
}

/// Issue 11, item 2: how many SQL statements and write transactions one `!ack` costs on the
/// embedded backend, from the command to the reply and announcement marked delivered.
@Suite struct CommandPathStatementTests {
    @Test func ackCommitsChangeTimelineReplyAndAnnouncementInOneWriteTransaction() async throws {
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        let log = StatementLog()
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            db.trace { event in if case .statement(let statement) = event { log.record(statement.sql) } }
        }
        let pool = try DatabasePool(path: directory.path("tocsin.sqlite"), configuration: configuration)
        let outbox = try SQLiteOutbox(database: pool)
        let relay = TestRelay()
        let router = Router(rules: [RouteRule(destination: ops)])
        let store = try EmbeddedIncidentStore(database: pool, services: [EmbeddedService(name: "api", team: nil)], events: relay,
                                              outbox: outbox, announcer: Announcer(router: router))
        let alice = ChatIdentity.irc(network: ops.network, account: "alice")
        let handler = CommandHandler(parser: CommandParser(), policy: AuthorizationPolicy(identities: [alice: "alice@example.org"]), service: store)
        let dispatcher = OutboxDispatcher(outbox: outbox, tick: .seconds(3600))
        let gateway = Gateway(commands: handler, router: router, outbox: outbox, dispatcher: dispatcher)
        relay.target.withLock { $0 = gateway }
        _ = try await store.trigger(service: "api", title: "Disk full", by: Actor(email: "alice@example.org"))
        let transport = RecordingTransport(network: ops.network)
        let loop = Task { await dispatcher.run(transports: [transport]) }
        defer { loop.cancel() }
        #expect(await eventually { (try? await outbox.backlog().isEmpty) == true && transport.delivered.withLock { $0.count } == 1 })
        log.reset()

        await gateway.receive(InboundMessage(origin: ops, senderName: "alice", identity: alice, text: "!ack 1", botNames: ["tocsin"]))
        #expect(await eventually { transport.delivered.withLock { $0.count } == 3 })
        #expect(await eventually { (try? await outbox.backlog().isEmpty) == true })
        try await Task.sleep(for: .milliseconds(100))
        let texts = transport.delivered.withLock { $0.map(\.message.text.plainText) }
        #expect(texts.contains { $0.hasPrefix("alice: Acknowledged #1 Disk full") })
        let statements = log.statements.filter { !$0.contains("outbox_messages WHERE deliveredAt IS NULL GROUP BY network") }
        print("!ack path: \(statements.count) statements, \(log.writeTransactions) write transactions:\n  " + log.all.joined(separator: "\n  "))
        // One write transaction for the command (change, timeline, reply, announcement); each
        // delivery lane's mark (the reply's and the urgent announcement's) is one UPDATE in
        // autocommit, atomic by itself, with no BEGIN/COMMIT around it; no outbox read.
        #expect(log.writeTransactions == 1)
        let all = log.all
        let commit = try #require(all.firstIndex { $0.hasPrefix("COMMIT") })
        let command = all[..<commit]
        let marks = all.indices.filter { all[$0].hasPrefix("UPDATE outbox_messages SET deliveredAt") }
        #expect(marks.count == 2, "one mark per delivery lane")
        #expect(marks.allSatisfy { $0 > commit && !all[$0 - 1].hasPrefix("BEGIN") }, "each mark alone, in autocommit")
        #expect(command.filter { $0.hasPrefix("BEGIN IMMEDIATE") }.count == 1)
        #expect(command.contains { $0.hasPrefix("UPDATE incident_incidents") })
        #expect(command.contains { $0.hasPrefix("INSERT INTO incident_timeline") })
        #expect(command.filter { $0.hasPrefix("INSERT OR IGNORE INTO outbox_messages") }.count == 2, "reply and announcement")
        #expect(!all.contains { $0.contains("FROM outbox_messages") && $0.contains("priority BETWEEN") }, "sent from memory, not read back")
        // SELECT incident, UPDATE it, INSERT timeline, INSERT reply, INSERT announcement, COUNT the room's backlog.
        #expect(command.count == 7, "BEGIN and six statements")
    }
}

/// Polls `condition` for at most `timeout` (generous: it costs time only when a test fails).
func eventually(timeout: Duration = .seconds(30), _ condition: @Sendable () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return await condition()
}
