import DurableOutbox
import Foundation
import GRDB
import Testing
import TocsinCore

@Suite("Summarising stale messages")
struct StaleSummaryTests {
    let clock = TestClock()

    func makeOutbox() throws -> SQLiteOutbox {
        try SQLiteOutbox(database: DatabaseQueue(), now: { [clock] in clock.now })
    }

    @Test func staleMessagesBecomeOneHighPrioritySummaryPerConversation() async throws {
        let outbox = try makeOutbox()
        _ = try await outbox.enqueue([
            announcement(.triggered, number: 12), announcement(.triggered, number: 12, to: dev),
            announcement(.resolved, number: 13), announcement(.annotated, number: 14),
        ])
        clock.advance(by: 3 * 3600)
        _ = try await outbox.enqueue([message("fresh", priority: .critical)])
        clock.advance(by: 20 * 60)

        let summaries = try await outbox.summarizeStale(olderThan: 3600, now: clock.now)

        #expect(summaries.map(\.message.destination) == [ops, dev])
        #expect(summaries.allSatisfy { $0.message.priority == .high })
        #expect(summaries[0].message.text.plainText ==
            "3 announcements from the last 3h20m could not be delivered in time: #12 triggered, #13 resolved, #14 note")
        #expect(summaries[1].message.text.plainText ==
            "1 announcement from the last 3h20m could not be delivered in time: #12 triggered")
        let pending = try await outbox.pending(network: "libera", limit: 10)
        #expect(pending.map(\.id) == [5, summaries[0].id, summaries[1].id], "fresh critical first, then the summaries")
        #expect(try await outbox.backlog() == ["libera": 3])
    }

    @Test func summarisedMessagesKeepTheirDedupKeys() async throws {
        let outbox = try makeOutbox()
        let original = announcement(.triggered, number: 12)
        _ = try await outbox.enqueue([original])
        clock.advance(by: 7200)
        _ = try await outbox.summarizeStale(olderThan: 3600, now: clock.now)

        #expect(try await outbox.enqueue([original]).isEmpty, "a redelivered event is not announced after its summary")
    }

    @Test func theSummaryIsBoundedInLength() async throws {
        let outbox = try makeOutbox()
        _ = try await outbox.enqueue((1...200).map { announcement(.triggered, number: 1000 + $0) })
        clock.advance(by: 2 * 86400 + 5 * 3600)

        let summaries = try await outbox.summarizeStale(olderThan: 3600, now: clock.now)

        let text = try #require(summaries.first?.message.text.plainText)
        #expect(summaries.count == 1)
        #expect(text.count < 450)
        #expect(text.hasPrefix("200 announcements from the last 2d5h could not be delivered in time: #1001 triggered, #1002 triggered"))
        #expect(text.hasSuffix(", and 183 more"))
    }

    @Test func repliesAndOtherTextAreListedByTheirFirstWords() async throws {
        let outbox = try makeOutbox()
        _ = try await outbox.enqueue([
            message("Acknowledged #7 Disk full on the primary database server of the EU region", priority: .writeReply),
            announcement(.triggered, number: 8),
        ])
        clock.advance(by: 7200)

        let summary = try #require(try await outbox.summarizeStale(olderThan: 3600, now: clock.now).first)

        #expect(summary.message.text.plainText ==
            "2 messages from the last 2h could not be delivered in time: Acknowledged #7 Disk full on the primary…, #8 triggered")
    }

    @Test func nothingStaleChangesNothing() async throws {
        let outbox = try makeOutbox()
        _ = try await outbox.enqueue([message("recent")])
        let delivered = try await outbox.enqueue([message("old but delivered")])
        try await outbox.markDelivered(delivered[0].id)
        clock.advance(by: 59)

        #expect(try await outbox.summarizeStale(olderThan: 60, now: clock.now).isEmpty)
        #expect(try await outbox.pending(network: "libera", limit: 10).texts == ["recent"])
    }

    @Test func summariesSurviveARestart() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("tocsin.sqlite")
        do {
            let outbox = try SQLiteOutbox(database: try DatabasePool(path: try prepared(path)), now: { [clock] in clock.now })
            _ = try await outbox.enqueue([announcement(.triggered, number: 1)])
            clock.advance(by: 7200)
            _ = try await outbox.summarizeStale(olderThan: 3600, now: clock.now)
        }
        let restarted = try SQLiteOutbox(database: try DatabasePool(path: path))
        let pending = try await restarted.pending(network: "libera", limit: 10)
        #expect(pending.count == 1)
        #expect(pending.first?.message.text.plainText.hasPrefix("1 announcement") == true)
    }

    private func prepared(_ path: String) throws -> String {
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        return path
    }
}
