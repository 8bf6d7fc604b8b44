import Dispatch
import GRDB
import GRDBSQLite
import Synchronization

/// Moves SQLite's WAL checkpoints off the commit path.
///
/// SQLite's default (`wal_autocheckpoint`, 1,000 pages) runs the checkpoint inside the COMMIT that
/// crosses the threshold: that one command copies the WAL into the database file and waits for two
/// `fdatasync`s (https://www.sqlite.org/wal.html#automatic_checkpoint), 3–5 ms on this machine's
/// disk, about one `!ack` in a hundred — the p99 of the command path (docs/benchmarks.md,
/// 2026-12-06 profile). Instead, the writer's `sqlite3_wal_hook` (called after each commit with the
/// WAL's size, https://www.sqlite.org/c3ref/wal_hook.html) hands the checkpoint to a connection of
/// its own on a queue of its own, where a PASSIVE checkpoint runs beside the writer (it never takes the
/// write lock, https://www.sqlite.org/c3ref/wal_checkpoint_v2.html). Installing the hook replaces
/// the automatic checkpoint on that connection.
///
/// A background checkpoint is requested per ``threshold`` frames written since the last one
/// backfilled, not per commit: SQLite restarts the WAL from its start only when a write begins
/// after a checkpoint caught up completely, which under a steady stream of commits happens rarely,
/// so "WAL longer than the threshold" stays true and would ask for a checkpoint (two `fdatasync`s)
/// after every commit — measured: 80,000 `fdatasync`s for 11,000 commands, before this rule.
///
/// Bounded either way: when the background connection cannot be opened or fails, or the WAL has
/// grown to ``inlineLimit`` pages anyway (a steady stream, or a checkpoint starved by long
/// readers), the commit checkpoints inline as SQLite would have, after which the next write
/// restarts the WAL.
final class WALCheckpointer: Sendable {
    /// WAL pages after which a background checkpoint is requested (SQLite's own default threshold).
    static let threshold: Int32 = 1_000
    /// WAL pages after which the committing connection checkpoints itself (16 MB of 4 KiB pages;
    /// under a steady stream about one command in 400, and the background has copied most by then).
    static let inlineLimit: Int32 = 4_000

    private let path: String
    private let queue = DispatchQueue(label: "tocsin.sqlite.checkpoint")
    private struct State {
        var requested = false
        var failed = false
        var connection: DatabaseQueue?
        var checkpoints = 0
        /// WAL frames known copied into the database by the last checkpoint.
        var backfilled: Int32 = 0
    }
    private let state = Mutex(State())

    init(path: String) {
        self.path = path
    }

    /// Background checkpoints run so far (for tests).
    var checkpoints: Int { state.withLock { $0.checkpoints } }

    /// Installs the hook on `db` (the pool's writer; a reader never commits, so its hook never runs).
    func install(on db: Database) {
        guard let connection = db.sqliteConnection else { return }
        sqlite3_wal_hook(connection, { context, connection, name, pages in
            guard let context else { return SQLITE_OK }
            let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
            if checkpointer.committed(walPages: pages) {
                // What SQLite's default hook does: checkpoint here, in the commit.
                sqlite3_wal_checkpoint(connection, name)
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Called after each commit; true when the committing connection must checkpoint itself.
    func committed(walPages pages: Int32) -> Bool {
        let (inline, schedule) = state.withLock { state -> (Bool, Bool) in
            // A WAL shorter than what was backfilled has been restarted from its start.
            if pages < state.backfilled { state.backfilled = 0 }
            guard pages >= Self.threshold else { return (false, false) }
            if state.failed || pages >= Self.inlineLimit {
                state.backfilled = pages
                return (true, false)
            }
            guard !state.requested, pages - state.backfilled >= Self.threshold else { return (false, false) }
            state.requested = true
            return (false, true)
        }
        if schedule { queue.async { self.checkpoint() } }
        return inline
    }

    private func checkpoint() {
        let connection = state.withLock { $0.connection }
        do {
            let checkpointing: DatabaseQueue
            if let connection {
                checkpointing = connection
            } else {
                var configuration = Configuration()
                configuration.busyMode = .timeout(TocsinDatabase.busyTimeout)
                configuration.label = "tocsin.checkpoint"
                checkpointing = try DatabaseQueue(path: path, configuration: configuration)
            }
            let backfilled = try checkpointing.writeWithoutTransaction { db -> Int32 in
                var log: Int32 = 0, copied: Int32 = 0
                let code = sqlite3_wal_checkpoint_v2(db.sqliteConnection, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied)
                guard code == SQLITE_OK || code == SQLITE_BUSY else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
                return copied
            }
            state.withLock {
                $0.connection = checkpointing
                $0.requested = false
                $0.checkpoints += 1
                $0.backfilled = max($0.backfilled, backfilled)
            }
        } catch {
            // The commits checkpoint inline from now on, as SQLite would by default.
            state.withLock {
                $0.failed = true
                $0.requested = false
            }
        }
    }
}
