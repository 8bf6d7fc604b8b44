import Foundation
import GRDB
import Logging
import TocsinCore
import TocsinStorage

/// The durable ``Outbox``: messages wait in Tocsin's SQLite database (tables prefixed `outbox_`)
/// until their transport confirms them, so announcements survive a crash, a restart or a long
/// disconnect.
///
/// Delivered rows are kept (with `deliveredAt`) so a dedup key stays known — an incident event
/// received twice is still announced once — until ``purgeDelivered(olderThan:now:)`` drops them.
public final class SQLiteOutbox: Outbox, Sendable {
    let database: any DatabaseWriter
    let now: @Sendable () -> Date
    let logger: Logger
    let bound: OutboxBound

    /// Brings the `outbox_` tables up to date. Usually on the pool from `TocsinDatabase.open(path:)`,
    /// shared with the embedded incident store. `bound` caps each conversation's backlog (see
    /// ``OutboxBound``).
    public init(database: any DatabaseWriter, bound: OutboxBound = OutboxBound(), now: @Sendable @escaping () -> Date = Date.init,
                logger: Logger = Logger(label: "tocsin.outbox")) throws {
        self.database = database
        self.bound = bound
        self.now = now
        self.logger = logger
        try OutboxSchema.migrator.migrate(database)
    }

    /// Stores the messages in one transaction; a message whose `(dedupKey, destination)` is already
    /// stored (delivered or not, or earlier in the same batch) is skipped by the UNIQUE index. In the
    /// same transaction, every conversation that received a message is brought back within the
    /// ``OutboxBound`` (``SQLiteOutbox/fold(_:in:at:)``).
    public func enqueue(_ messages: [OutboxMessage]) async throws -> [OutboxItem] {
        guard !messages.isEmpty else { return [] }
        let createdAt = now()
        let rows = try messages.map { try OutboxRow($0, createdAt: createdAt) }
        let (stored, folded) = try await database.write { db in
            var stored: [OutboxItem] = []
            for (row, message) in zip(rows, messages) {
                var row = row
                try row.insert(db, onConflict: .ignore)
                // INSERT OR IGNORE: no change means the pair was already there.
                guard db.changesCount > 0 else { continue }
                stored.append(OutboxItem(id: db.lastInsertedRowID, message: message, createdAt: createdAt))
            }
            var folded: [(ChatDestination, Int)] = []
            var seen = Set<ChatDestination>()
            for destination in stored.map(\.message.destination) where seen.insert(destination).inserted {
                guard let outcome = try self.fold(destination, in: db, at: createdAt) else { continue }
                folded.append((destination, outcome.folded))
                if let summary = outcome.newSummary { stored.append(summary) }
            }
            return (stored, folded)
        }
        for (destination, count) in folded {
            logger.notice("outbox bound reached, oldest low-priority lines summarised", metadata: [
                "destination": "\(destination)", "folded": "\(count)", "bound": "\(bound.maximumPending)",
            ])
        }
        return stored
    }

    /// Undelivered items for one network, every priority, in delivery order.
    public func pending(network: String, limit: Int) async throws -> [OutboxItem] {
        try await pending(network: network, priorities: DeliveryPriority.all, limit: limit)
    }

    public func pending(network: String, priorities: ClosedRange<DeliveryPriority>, limit: Int) async throws -> [OutboxItem] {
        guard limit > 0 else { return [] }
        let rows = try await database.read { db in
            try OutboxRow
                .filter(OutboxRow.Columns.network == network && OutboxRow.Columns.deliveredAt == nil)
                .filter(OutboxRow.Columns.priority >= priorities.lowerBound.rawValue
                    && OutboxRow.Columns.priority <= priorities.upperBound.rawValue)
                .order(OutboxRow.Columns.priority, OutboxRow.Columns.id)
                .limit(limit)
                .fetchAll(db)
        }
        return rows.map { row in
            let (item, error) = row.item()
            if let error {
                logger.error("undecodable outbox message, sending a notice instead", metadata: ["id": "\(item.id)", "error": "\(error)"])
            }
            return item
        }
    }

    public func markDelivered(_ id: Int64) async throws {
        let at = now()
        _ = try await database.write { db in
            try OutboxRow
                .filter(key: id)
                .filter(OutboxRow.Columns.deliveredAt == nil)
                .updateAll(db, OutboxRow.Columns.deliveredAt.set(to: at))
        }
    }

    public func recordFailedAttempt(_ id: Int64) async throws {
        let at = now()
        _ = try await database.write { db in
            try OutboxRow
                .filter(key: id)
                .updateAll(db, OutboxRow.Columns.attempts += 1, Column("lastAttemptAt").set(to: at))
        }
    }

    /// Undelivered items per network; networks with nothing waiting are absent.
    public func backlog() async throws -> [String: Int] {
        try await database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT network, COUNT(*) AS waiting FROM outbox_messages WHERE deliveredAt IS NULL GROUP BY network
                """)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["network"] as String, $0["waiting"] as Int) })
        }
    }

    /// Deletes delivered (and summarised) messages delivered more than `age` seconds before `now`,
    /// returning how many went. Their dedup keys are forgotten with them, so keep `age` well above
    /// the time a webhook may be redelivered (a day or more).
    @discardableResult
    public func purgeDelivered(olderThan age: TimeInterval, now: Date) async throws -> Int {
        let cutoff = now.addingTimeInterval(-age)
        return try await database.write { db in
            try OutboxRow
                .filter(OutboxRow.Columns.deliveredAt != nil && OutboxRow.Columns.deliveredAt < cutoff)
                .deleteAll(db)
        }
    }
}
