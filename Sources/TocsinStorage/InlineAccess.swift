import GRDB

extension DatabaseWriter {
    /// One short write transaction run on the calling thread (GRDB's synchronous `write`, which
    /// enters the writer's serial queue with `DispatchQueue.sync`, inline when no other write runs).
    ///
    /// The `async` variant hops to the writer's queue and back: two thread wake-ups per
    /// transaction, ~100–250 µs of an `!ack`'s 280 µs in the 2026-12-06 profile on two loaded cores,
    /// against ~20–60 µs for SQLite's own work. Only for transactions of a few statements: the
    /// caller's thread (a cooperative one) is held while another write finishes, which is as short
    /// since WAL checkpoints left the commit path (``WALCheckpointer``).
    public func writeInline<T>(_ updates: (Database) throws -> T) throws -> T {
        try write(updates)
    }
}

extension DatabaseReader {
    /// A short read on the calling thread (GRDB's synchronous `read`); see ``DatabaseWriter/writeInline(_:)``.
    public func readInline<T>(_ value: (Database) throws -> T) throws -> T {
        try read(value)
    }
}
