import Foundation
import GRDB

/// One-time sign-in links for the incident pages (`!web`, `tocsin login-link`), table
/// `web_login_links`.
///
/// A link carries `SELECTOR.VERIFIER`; only the selector and a SHA-256 digest of the verifier are
/// stored (the caller hashes), so a copy of the database signs nobody in. A link works once and
/// only until it expires (minutes); the verifier digest is compared in constant time.
public struct LoginLinkTable: DatabaseTable, Sendable {
    let database: any DatabaseWriter

    public init(database: any DatabaseWriter) throws {
        self.database = database
        try Self.migrate(database)
    }

    static let migrations: KeyValuePairs = [
        "web_login_links_v1": """
            CREATE TABLE web_login_links (
                selector TEXT PRIMARY KEY NOT NULL,
                verifierHash TEXT NOT NULL,
                identity TEXT NOT NULL,
                createdAt DOUBLE NOT NULL,
                expiresAt DOUBLE NOT NULL, -- seconds since 1970
                usedAt DOUBLE
            );
            CREATE INDEX web_login_links_expiry ON web_login_links(expiresAt);
            """,
    ]

    /// Stores a new link; expired links are dropped on the way.
    public func insert(selector: String, verifierHash: String, identity: String, now: Date, expiresAt: Date) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM web_login_links WHERE expiresAt <= ?", arguments: [now.timeIntervalSince1970])
            try db.execute(
                sql: "INSERT INTO web_login_links (selector, verifierHash, identity, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?)",
                arguments: [selector, verifierHash, identity, now.timeIntervalSince1970, expiresAt.timeIntervalSince1970])
        }
    }

    /// Uses the link: returns its identity and marks it used, in one transaction, when the
    /// selector is known, the verifier digest matches, it was never used and has not expired;
    /// nil otherwise (the same nil for every reason, so the answer tells an attacker nothing).
    public func consume(selector: String, verifierHash: String, now: Date) async throws -> String? {
        try await database.write { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT verifierHash, identity, expiresAt, usedAt FROM web_login_links WHERE selector = ?",
                arguments: [selector]) else { return nil }
            let stored: String = row["verifierHash"]
            guard ConstantTime.equals(stored, verifierHash) else { return nil }
            let usedAt: Double? = row["usedAt"]
            let expiresAt: Double = row["expiresAt"]
            guard usedAt == nil, expiresAt > now.timeIntervalSince1970 else { return nil }
            try db.execute(sql: "UPDATE web_login_links SET usedAt = ? WHERE selector = ? AND usedAt IS NULL",
                           arguments: [now.timeIntervalSince1970, selector])
            guard db.changesCount == 1 else { return nil }
            return row["identity"]
        }
    }

    /// Drops links past their expiry (used or not).
    @discardableResult
    public func prune(now: Date) async throws -> Int {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM web_login_links WHERE expiresAt <= ?", arguments: [now.timeIntervalSince1970])
            return db.changesCount
        }
    }
}
