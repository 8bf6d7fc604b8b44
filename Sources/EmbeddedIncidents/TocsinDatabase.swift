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
    /// - Throws: ``TocsinDatabaseError`` naming the path when the file cannot be opened.
    public static func open(path: String) throws -> DatabasePool {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw TocsinDatabaseError.cannotOpen(path: path, reason: "cannot create its directory: \(error.localizedDescription)")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "tocsin"
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
