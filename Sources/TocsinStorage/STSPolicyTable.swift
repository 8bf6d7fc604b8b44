import Foundation
import GRDB

/// IRCv3 `sts` policies (https://ircv3.net/specs/extensions/sts, "Policy storage") in Tocsin's
/// database, table `irc_sts_policies`: one row per host name (lowercased) with the TLS port to use
/// and when the policy expires.
///
/// A policy has to outlive the process: without it, the first connection after a restart would
/// be plaintext again, which is the one an attacker on the path needs. The IRC transport reads it
/// through its `STSPolicyStore` protocol; the gateway declares the conformance, so this target
/// does not depend on the IRC client.
public struct STSPolicyTable: DatabaseTable, Sendable {
    let database: any DatabaseWriter

    public init(database: any DatabaseWriter) throws {
        self.database = database
        try Self.migrate(database)
    }

    static let migrations: KeyValuePairs = [
        "irc_sts_v1": """
            CREATE TABLE irc_sts_policies (
                host TEXT PRIMARY KEY NOT NULL,
                port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
                expiresAt DOUBLE NOT NULL -- seconds since 1970
            );
            """,
    ]

    /// The port of the policy for `host` that is still valid at `now`; expired rows are removed.
    public func stsPort(host: String, now: Date) async throws -> Int? {
        let key = host.lowercased()
        return try await database.write { db -> Int? in
            try db.execute(sql: "DELETE FROM irc_sts_policies WHERE expiresAt <= ?", arguments: [now.timeIntervalSince1970])
            return try Int.fetchOne(db, sql: "SELECT port FROM irc_sts_policies WHERE host = ?", arguments: [key])
        }
    }

    /// Stores or refreshes the policy for `host` (the spec: every policy received reschedules the
    /// expiry).
    public func saveSTSPolicy(host: String, port: Int, expires: Date) async throws {
        let key = host.lowercased()
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO irc_sts_policies (host, port, expiresAt) VALUES (?, ?, ?)
                    ON CONFLICT(host) DO UPDATE SET port = excluded.port, expiresAt = excluded.expiresAt
                    """,
                arguments: [key, port, expires.timeIntervalSince1970])
        }
    }

    /// Forgets the policy for `host` (`duration=0`).
    public func removeSTSPolicy(host: String) async throws {
        let key = host.lowercased()
        try await database.write { db in
            try db.execute(sql: "DELETE FROM irc_sts_policies WHERE host = ?", arguments: [key])
        }
    }
}
