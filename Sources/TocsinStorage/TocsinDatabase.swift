import Foundation
import GRDB

/// Opens the one SQLite file Tocsin keeps its state in: the embedded incident store and the
/// durable outbox share it, each with its own migrator and table prefix.
public enum TocsinDatabase {
    /// How long a writer waits for another connection's lock before failing with `SQLITE_BUSY`.
    public static let busyTimeout: TimeInterval = 5

    /// A `DatabasePool` on `path`: WAL journal mode (readers never block the writer), the parent
    /// directory created when missing, and a busy timeout so a second process waits instead of failing.
    ///
    /// The database holds who said what in which room and who acts as whom, so a directory it
    /// creates is 0700 and the database file (with its `-wal`/`-shm` companions, which SQLite
    /// creates with the main file's mode) is 0600, whatever the process umask.
    ///
    /// - Throws: ``TocsinDatabaseError`` naming the path when the file cannot be opened.
    public static func open(path: String) throws -> DatabasePool {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        do {
            if !FileManager.default.fileExists(atPath: directory.path) {
                try FileManager.default.createDirectory(
                    at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                    throw TocsinDatabaseError.cannotOpen(path: path, reason: "cannot create the file")
                }
            }
        } catch let error as TocsinDatabaseError {
            throw error
        } catch {
            throw TocsinDatabaseError.cannotOpen(path: path, reason: "cannot create its directory: \(error.localizedDescription)")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "tocsin"
        // GRDB's pool already sets journal_mode=WAL and synchronous=NORMAL (a commit appends to
        // the WAL without fsync; only checkpoints sync). The checkpoints leave the commit path.
        let checkpointer = WALCheckpointer(path: path)
        configuration.prepareDatabase { db in checkpointer.install(on: db) }
        do {
            return try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError {
            throw TocsinDatabaseError.cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
        } catch {
            throw TocsinDatabaseError.cannotOpen(path: path, reason: "\(error)")
        }
    }
}

/// The state database could not be used; says which file and what to check.
public enum TocsinDatabaseError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open the database at \(path): \(reason) (check that the path is a writable file location)"
        }
    }
}
