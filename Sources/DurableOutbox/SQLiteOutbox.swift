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
        let (stored, folded) = try database.writeInline { db in
            try self.enqueue(messages, in: db, at: createdAt)
        }
        logFolds(folded)
        return stored
    }

    /// ``enqueue(_:)`` inside the caller's write transaction, so a backend on the same database
    /// commits its change and the messages it causes (the reply, the announcements) together.
    /// Cached prepared statements; nothing is read back. Call ``logFolds(_:)`` after the commit.
    public func enqueue(_ messages: [OutboxMessage], in db: Database, at createdAt: Date) throws
        -> (stored: [OutboxItem], folded: [(ChatDestination, Int)]) {
        let insert = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO outbox_messages
                (network, conversationKind, conversation, text, priority, inReplyTo, dedupKey, createdAt, attempts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)
            """)
        let at = createdAt.timeIntervalSince1970
        var stored: [OutboxItem] = []
        for message in messages {
            let (kind, name) = Self.conversationColumns(message.destination)
            try insert.execute(arguments: [message.destination.network, kind, name, OutboxRow.encodedText(message.text),
                                           message.priority.rawValue, message.inReplyTo, message.dedupKey, at])
            // INSERT OR IGNORE: no change means the pair was already there.
            guard db.changesCount > 0 else { continue }
            stored.append(OutboxItem(id: db.lastInsertedRowID, message: message, createdAt: createdAt))
        }
        var folded: [(ChatDestination, Int)] = []
        var seen = Set<ChatDestination>()
        for destination in stored.map(\.message.destination) where seen.insert(destination).inserted {
            guard let outcome = try fold(destination, in: db, at: createdAt) else { continue }
            folded.append((destination, outcome.folded))
            if let summary = outcome.newSummary { stored.append(summary) }
        }
        return (stored, folded)
    }

    /// Logs what ``enqueue(_:in:at:)`` folded, once its transaction has committed.
    public func logFolds(_ folded: [(ChatDestination, Int)]) {
        for (destination, count) in folded {
            logger.notice("outbox bound reached, oldest low-priority lines summarised", metadata: [
                "destination": "\(destination)", "folded": "\(count)", "bound": "\(bound.maximumPending)",
            ])
        }
    }

    /// Whether `other` is this outbox's database (so a backend may write into it in its transactions).
    public func shares(_ other: any DatabaseWriter) -> Bool {
        ObjectIdentifier(database as AnyObject) == ObjectIdentifier(other as AnyObject)
    }

    /// Undelivered items for one network, every priority, in delivery order.
    public func pending(network: String, limit: Int) async throws -> [OutboxItem] {
        try await pending(network: network, priorities: DeliveryPriority.all, after: nil, skipping: [], limit: limit)
    }

    public func pending(network: String, priorities: ClosedRange<DeliveryPriority>, limit: Int) async throws -> [OutboxItem] {
        try await pending(network: network, priorities: priorities, after: nil, skipping: [], limit: limit)
    }

    /// Keyset paging: the rows after `cursor` in `(priority, id)` order, leaving out the held-back
    /// conversations in SQL, so a blocked room's backlog is never read again and again.
    public func pending(network: String, priorities: ClosedRange<DeliveryPriority>, after cursor: OutboxCursor?,
                        skipping blocked: Set<ChatDestination>, limit: Int) async throws -> [OutboxItem] {
        guard limit > 0 else { return [] }
        var sql = """
            SELECT id, network, conversationKind, conversation, text, priority, inReplyTo, dedupKey, createdAt, attempts, deliveredAt
            FROM outbox_messages
            WHERE network = ? AND deliveredAt IS NULL AND priority BETWEEN ? AND ?
            """
        var arguments: StatementArguments = [network, priorities.lowerBound.rawValue, priorities.upperBound.rawValue]
        if let cursor {
            sql += " AND (priority > ? OR (priority = ? AND id > ?))"
            arguments += [cursor.priority.rawValue, cursor.priority.rawValue, cursor.id]
        }
        for destination in blocked.sorted(by: { "\($0)" < "\($1)" }) {
            let (kind, name) = Self.conversationColumns(destination)
            sql += " AND NOT (conversationKind = ? AND conversation = ?)"
            arguments += [kind, name]
        }
        sql += " ORDER BY priority, id LIMIT ?"
        arguments += [limit]
        let (query, values) = (sql, arguments)
        let rows = try database.readInline { db in
            try OutboxRow.fetchAll(db.cachedStatement(sql: query), arguments: values)
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
        try await markDelivered([id])
    }

    /// Marks a batch delivered in one statement (the dispatcher flushes after each page).
    public func markDelivered(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        let at = now().timeIntervalSince1970
        // Inline: the delivery loop marks after every page; no hop to the writer's queue and back.
        // One UPDATE is atomic on its own (all the ids or none), so it runs in autocommit: no
        // BEGIN/COMMIT around it. The statement is cached per batch size (one id, in the usual case).
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
        try database.executeInline(sql: """
            UPDATE outbox_messages SET deliveredAt = ? WHERE deliveredAt IS NULL AND id IN (\(placeholders))
            """, arguments: StatementArguments([at]) + StatementArguments(ids))
    }

    public func recordFailedAttempt(_ id: Int64) async throws {
        let at = now().timeIntervalSince1970
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
                .filter(OutboxRow.Columns.deliveredAt != nil && OutboxRow.Columns.deliveredAt < cutoff.timeIntervalSince1970)
                .deleteAll(db)
        }
    }
}
