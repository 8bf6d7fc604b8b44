import GRDB

/// The durable outbox's tables, prefixed `outbox_` so they share Tocsin's database with the
/// embedded incident store; migration identifiers are prefixed too, so both migrators run in either
/// order on one file (GRDB ignores identifiers a migrator does not know).
enum OutboxSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("outbox_v1") { db in
            try db.execute(sql: """
                CREATE TABLE outbox_messages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    network TEXT NOT NULL,
                    conversationKind TEXT NOT NULL CHECK (conversationKind IN ('room', 'direct')),
                    conversation TEXT NOT NULL,
                    text TEXT NOT NULL,
                    priority INTEGER NOT NULL,
                    inReplyTo TEXT,
                    dedupKey TEXT,
                    createdAt DATETIME NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    lastAttemptAt DATETIME,
                    deliveredAt DATETIME,
                    summarizedInto INTEGER -- id of the summary that replaced this message
                );
                -- A cause is announced once per conversation. NULL keys never collide (SQL NULLs are distinct).
                CREATE UNIQUE INDEX outbox_messages_dedup
                    ON outbox_messages(dedupKey, network, conversationKind, conversation);
                -- The delivery loop's query: one network's backlog in delivery order.
                CREATE INDEX outbox_messages_pending
                    ON outbox_messages(network, priority, id) WHERE deliveredAt IS NULL;
                """)
        }
        migrator.registerMigration("outbox_v2_delivery_tiers") { db in
            // DeliveryPriority was renumbered (reply 0, critical 1, high 2, normal 3, low 4) to put
            // critical/high announcements before any reply. A reply stored before the split is
            // treated as a write command's acknowledgement, the more cautious guess.
            try db.execute(sql: """
                UPDATE outbox_messages SET priority = CASE priority
                    WHEN 0 THEN 30 WHEN 1 THEN 10 WHEN 2 THEN 20 WHEN 3 THEN 40 WHEN 4 THEN 60 ELSE priority END
                WHERE priority < 10;
                -- The per-conversation bound counts one conversation's backlog on every enqueue.
                CREATE INDEX outbox_messages_conversation
                    ON outbox_messages(network, conversationKind, conversation, priority, id) WHERE deliveredAt IS NULL;
                """)
        }
        migrator.registerMigration("outbox_v3_epoch_dates") { db in
            // Dates become seconds since 1970 (REAL): no date formatting per row (issue 11). Rows
            // written before hold GRDB's "yyyy-MM-dd HH:mm:ss.SSS" UTC text.
            for column in ["createdAt", "lastAttemptAt", "deliveredAt"] {
                try db.execute(sql: """
                    UPDATE outbox_messages SET \(column) = (julianday(\(column)) - 2440587.5) * 86400.0
                    WHERE typeof(\(column)) = 'text'
                    """)
            }
        }
        migrator.registerMigration("outbox_v4_summarized_index") { db in
            // Folding recounts a summary's lines (`COUNT(*) … WHERE summarizedInto = ?`) on every
            // fold; without an index that read the whole table per enqueue past the bound.
            try db.execute(sql: """
                CREATE INDEX outbox_messages_summarized ON outbox_messages(summarizedInto) WHERE summarizedInto IS NOT NULL
                """)
        }
        return migrator
    }
}
