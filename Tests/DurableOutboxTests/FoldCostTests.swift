import DurableOutbox
import Foundation
import GRDB
import Synchronization
import Testing
import TocsinCore

/// What one enqueue costs once a room is past its bound with lines that are never folded
/// (critical announcements, a burst at the intake): the 2026-12-06 intake ran 1,993 → 622 events/s
/// because every insert counted the whole backlog and scanned it for a summary.
@Suite("Outbox fold cost")
struct FoldCostTests {
    let directory = TemporaryDirectory()

    @Test func enqueuePastTheBoundWithNothingFoldableNeitherCountsNorScansTheWholeBacklog() async throws {
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        let statements = Mutex<[String]>([])
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            db.trace { event in if case .statement(let statement) = event { statements.withLock { $0.append(statement.sql) } } }
        }
        let pool = try DatabasePool(path: directory.path("tocsin.sqlite"), configuration: configuration)
        let outbox = try SQLiteOutbox(database: pool, bound: OutboxBound(maximumPending: 5))
        for index in 1...30 { _ = try await outbox.enqueue([message("critical \(index)", priority: .critical)]) }

        statements.withLock { $0.removeAll() }
        _ = try await outbox.enqueue([message("critical 31", priority: .critical)])
        let run = statements.withLock { $0 }
        let fullCounts = run.filter { $0.contains("SELECT COUNT(*) FROM outbox_messages WHERE") }
        #expect(fullCounts.isEmpty, "counted the whole backlog: \(run)")
        #expect(!run.contains { $0.contains("LIKE") && !$0.contains("LIMIT 1") }, "scanned for a summary: \(run)")
        #expect(try await outbox.pending(network: ops.network, limit: 100).count == 31, "critical lines are never folded")
    }

    @Test func readRepliesPastTheBoundAreStillFoldedIntoOneSummaryThatCountsThemAll() async throws {
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: directory.path("tocsin.sqlite"))
        let outbox = try SQLiteOutbox(database: pool, bound: OutboxBound(maximumPending: 5))
        for index in 1...10 { _ = try await outbox.enqueue([message("critical \(index)", priority: .critical)]) }
        for index in 1...4 { _ = try await outbox.enqueue([message("incidents \(index)", priority: .readReply)]) }

        let texts = try await outbox.pending(network: ops.network, limit: 100).texts
        #expect(texts.filter { $0.hasPrefix("critical") }.count == 10)
        // Past the bound by critical lines alone, each read reply is folded as it comes (the first
        // waits: one line folded into a new summary line would gain nothing).
        #expect(texts.filter { $0.hasPrefix("incidents") }.isEmpty)
        #expect(texts.filter { $0.hasPrefix("…") } == ["… and 4 older low-priority lines not shown"])
    }
}
