import GRDB

extension DatabaseWriter {
    /// One short write transaction run on the calling thread (GRDB's synchronous
    /// `writeWithoutTransaction`, which enters the writer's serial queue with `DispatchQueue.sync`,
    /// inline when no other write runs).
    ///
    /// The `async` variant hops to the writer's queue and back: two thread wake-ups per
    /// transaction, ~100–250 µs of an `!ack`'s 280 µs in the 2026-12-06 profile on two loaded cores,
    /// against ~20–60 µs for SQLite's own work. Only for transactions of a few statements: the
    /// caller's thread (a cooperative one) is held while another write finishes, which is as short
    /// since WAL checkpoints left the commit path (``WALCheckpointer``).
    ///
    /// `BEGIN IMMEDIATE` and `COMMIT` are cached prepared statements of the writer connection:
    /// GRDB's `write` compiles both on every transaction (`Database.beginTransaction` and `commit`
    /// call `execute(sql:)`, each a `sqlite3_prepare` under GRDB's statement authorizer). The
    /// semantics are GRDB's `inTransaction(.immediate)`: an error from `updates`, or a failed
    /// `COMMIT`, rolls back and is rethrown; a transaction SQLite already rolled back by itself
    /// (`SQLITE_FULL`, `SQLITE_IOERR`…, https://www.sqlite.org/lang_transaction.html) is not
    /// committed but reported as `SQLITE_ABORT`.
    public func writeInline<T>(_ updates: (Database) throws -> T) throws -> T {
        try writeWithoutTransaction { db in
            try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
            let result: T
            do {
                result = try updates(db)
                guard db.isInsideTransaction else {
                    throw DatabaseError(resultCode: .SQLITE_ABORT, message: "the transaction was rolled back by SQLite before its commit")
                }
                try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
            } catch {
                // GRDB's own rollback (uncached: the rare path); ignored when SQLite already rolled back.
                try? db.rollback()
                throw error
            }
            return result
        }
    }

    /// One statement in autocommit mode, on the calling thread: SQLite makes a single statement
    /// atomic by itself (https://www.sqlite.org/lang_transaction.html: "any command that accesses
    /// the database … will automatically start a transaction"), so a `BEGIN`/`COMMIT` around it
    /// adds two statement executions and nothing else. `sql` is a cached prepared statement.
    public func executeInline(sql: String, arguments: StatementArguments) throws {
        try writeWithoutTransaction { db in
            try db.cachedStatement(sql: sql).execute(arguments: arguments)
        }
    }
}

extension DatabaseReader {
    /// A short read on the calling thread (GRDB's synchronous `read`); see ``DatabaseWriter/writeInline(_:)``.
    public func readInline<T>(_ value: (Database) throws -> T) throws -> T {
        try read(value)
    }
}
