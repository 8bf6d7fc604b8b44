import Foundation
import GRDB
import TocsinCore

/// `/readyz` and `/metrics`: depth per network and the oldest undelivered message, in one read.
extension SQLiteOutbox: OutboxBacklogReporting {
    public func backlogSnapshot() async throws -> OutboxBacklog {
        try await database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT network, COUNT(*) AS waiting, MIN(createdAt) AS oldest
                FROM outbox_messages WHERE deliveredAt IS NULL GROUP BY network
                """)
            var waiting: [String: Int] = [:]
            var oldest: Date?
            for row in rows {
                waiting[row["network"]] = row["waiting"]
                if let date = row["oldest"] as Date? { oldest = min(oldest ?? date, date) }
            }
            return OutboxBacklog(waiting: waiting, oldest: oldest)
        }
    }
}
