import Foundation
import GRDB

/// Signed-in browsers of the incident pages, table `web_sessions`.
///
/// The cookie carries `SELECTOR.VERIFIER`; only the selector and a SHA-256 digest of the verifier
/// are stored (the caller hashes), compared in constant time. A session ends at its expiry or
/// when its row is deleted (signing out).
public struct WebSessionTable: DatabaseTable, Sendable {
    let database: any DatabaseWriter

    public init(database: any DatabaseWriter) throws {
        self.database = database
        try Self.migrate(database)
    }

    static let migrations: KeyValuePairs = [
        "web_sessions_v1": """
            CREATE TABLE web_sessions (
                selector TEXT PRIMARY KEY NOT NULL,
                verifierHash TEXT NOT NULL,
                identity TEXT NOT NULL,
                createdAt DOUBLE NOT NULL,
                expiresAt DOUBLE NOT NULL -- seconds since 1970
            );
            CREATE INDEX web_sessions_expiry ON web_sessions(expiresAt);
            """,
    ]

    public func insert(selector: String, verifierHash: String, identity: String, now: Date, expiresAt: Date) async throws {
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO web_sessions (selector, verifierHash, identity, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?)",
                arguments: [selector, verifierHash, identity, now.timeIntervalSince1970, expiresAt.timeIntervalSince1970])
        }
    }

    /// The session's identity when the selector is known, the digest matches and it has not expired.
    public func identity(selector: String, verifierHash: String, now: Date) async throws -> String? {
        try await database.read { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT verifierHash, identity, expiresAt FROM web_sessions WHERE selector = ?",
                arguments: [selector]) else { return nil }
            let stored: String = row["verifierHash"]
            let expiresAt: Double = row["expiresAt"]
            guard ConstantTime.equals(stored, verifierHash), expiresAt > now.timeIntervalSince1970 else { return nil }
            return row["identity"]
        }
    }

    /// Signs a browser out.
    public func delete(selector: String) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM web_sessions WHERE selector = ?", arguments: [selector])
        }
    }

    @discardableResult
    public func prune(now: Date) async throws -> Int {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM web_sessions WHERE expiresAt <= ?", arguments: [now.timeIntervalSince1970])
            return db.changesCount
        }
    }
}
