import Foundation
import GRDB
import TocsinCore

extension SQLiteOutbox {
    struct FoldOutcome {
        /// Messages folded by this call.
        var folded: Int
        /// The summary line, when this call created it (an existing one is updated in place).
        var newSummary: OutboxItem?
    }

    /// Brings one conversation back within ``OutboxBound/maximumPending`` undelivered rows.
    ///
    /// The oldest rows among ``DeliveryPriority/foldable`` go first, lowest priority first
    /// (`ORDER BY priority DESC, id`); each is marked delivered with `summarizedInto` pointing at the
    /// conversation's waiting summary row, whose text is rewritten with the total count
    /// (`COUNT(*) … WHERE summarizedInto = ?`). Critical/high announcements and write
    /// acknowledgements are never touched. Runs inside the caller's write transaction.
    func fold(_ destination: ChatDestination, in db: Database, at now: Date) throws -> FoldOutcome? {
        let (kind, name) = Self.conversationColumns(destination)
        let conversation = "network = ? AND conversationKind = ? AND conversation = ? AND deliveredAt IS NULL"
        let arguments: StatementArguments = [destination.network, kind, name]
        // The common case (within the bound) costs this one cached statement, which stops counting
        // past the bound: a backlog of thousands of critical lines (never folded) must not make
        // every insert count them all (the quadratic intake of 2026-12-06, 1,993 → 622 events/s).
        let bounded = try db.cachedStatement(sql: """
            SELECT COUNT(*) FROM (SELECT 1 FROM outbox_messages WHERE \(conversation) LIMIT ?)
            """)
        guard try (Int.fetchOne(bounded, arguments: arguments + [bound.maximumPending + 1]) ?? 0) > bound.maximumPending
        else { return nil }
        // Past the bound, only foldable lines can be folded: with none waiting there is nothing to do.
        let foldable = try db.cachedStatement(sql: """
            SELECT 1 FROM outbox_messages WHERE \(conversation) AND priority BETWEEN ? AND ?
                AND (dedupKey IS NULL OR dedupKey NOT LIKE ?) LIMIT 1
            """)
        let summaryPattern = OutboxBound.summaryKeyPrefix + "%"
        guard try Int.fetchOne(foldable, arguments: arguments + [DeliveryPriority.foldable.lowerBound.rawValue,
                                                                  DeliveryPriority.foldable.upperBound.rawValue, summaryPattern]) != nil
        else { return nil }
        let count = try db.cachedStatement(sql: "SELECT COUNT(*) FROM outbox_messages WHERE \(conversation)")
        let waiting = try Int.fetchOne(count, arguments: arguments) ?? 0
        // A summary waits with OutboxBound.summaryPriority: the conversation index finds it.
        let existing = try Int64.fetchOne(db, sql: """
            SELECT id FROM outbox_messages WHERE \(conversation) AND priority = ? AND dedupKey LIKE ? ORDER BY id LIMIT 1
            """, arguments: arguments + [OutboxBound.summaryPriority.rawValue, summaryPattern])
        let excess = waiting - bound.maximumPending + (existing == nil ? 1 : 0)
        let victims = try Int64.fetchAll(db, sql: """
            SELECT id FROM outbox_messages
            WHERE \(conversation) AND priority BETWEEN ? AND ? AND (dedupKey IS NULL OR dedupKey NOT LIKE ?)
            ORDER BY priority DESC, id LIMIT ?
            """, arguments: arguments + [DeliveryPriority.foldable.lowerBound.rawValue, DeliveryPriority.foldable.upperBound.rawValue,
                                         summaryPattern, excess])
        // Folding a single line into a new summary line would gain nothing.
        guard existing != nil || victims.count > 1 else { return nil }

        var newSummary: OutboxItem?
        let summaryID: Int64
        if let existing {
            summaryID = existing
        } else {
            let message = OutboxMessage(destination: destination, text: bound.summaryText(folded: victims.count),
                                        priority: OutboxBound.summaryPriority,
                                        dedupKey: "\(OutboxBound.summaryKeyPrefix)\(victims.first ?? 0)")
            var row = OutboxRow(message, createdAt: now)
            try row.insert(db)
            summaryID = db.lastInsertedRowID
            newSummary = OutboxItem(id: summaryID, message: message, createdAt: now)
        }
        try OutboxRow
            .filter(keys: victims)
            .updateAll(db, OutboxRow.Columns.deliveredAt.set(to: now.timeIntervalSince1970), Column("summarizedInto").set(to: summaryID))
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox_messages WHERE summarizedInto = ?", arguments: [summaryID]) ?? 0
        let text = bound.summaryText(folded: total)
        try db.execute(sql: "UPDATE outbox_messages SET text = ? WHERE id = ?", arguments: [OutboxRow.encodedText(text), summaryID])
        newSummary?.message.text = text
        return FoldOutcome(folded: victims.count, newSummary: newSummary)
    }

    static func conversationColumns(_ destination: ChatDestination) -> (kind: String, name: String) {
        switch destination.conversation {
        case .room(let name): ("room", name)
        case .direct(let peer): ("direct", peer)
        }
    }
}
