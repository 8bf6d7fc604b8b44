import Foundation
import GRDB

/// Ids of PagerDuty webhook events already stored for announcement, in Tocsin's database, table
/// `webhook_seen_events`: one row per `event.id` with the time until which it is kept.
///
/// PagerDuty delivers at least once and retries for up to 48 h (developer docs, "Webhooks" ›
/// "Behavior"); a captured delivery could be replayed any time later. Each id is kept until its
/// event leaves the intake's replay window (72 h by default), after which the intake refuses the
/// delivery by its `occurred_at` anyway, so a restart never lets a redelivery or a replay be
/// announced twice. The HTTP intake reads it through its `WebhookEventLedger` protocol; the gateway
/// declares the conformance, so this target does not depend on the intake.
public struct SeenWebhookEventTable: DatabaseTable, Sendable {
    let database: any DatabaseWriter

    public init(database: any DatabaseWriter) throws {
        self.database = database
        try Self.migrate(database)
    }

    static let migrations: KeyValuePairs = [
        "webhook_seen_v1": """
            CREATE TABLE webhook_seen_events (
                id TEXT PRIMARY KEY NOT NULL,
                expiresAt DOUBLE NOT NULL -- seconds since 1970
            );
            CREATE INDEX webhook_seen_events_expiry ON webhook_seen_events(expiresAt);
            """,
    ]

    /// True when `id` was recorded and is still kept at `now`.
    public func contains(_ id: String, now: Date) async throws -> Bool {
        try await database.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM webhook_seen_events WHERE id = ? AND expiresAt > ?)",
                arguments: [id, now.timeIntervalSince1970]) ?? false
        }
    }

    /// Records `id` until `expiresAt` (a later expiry already recorded is kept), and drops the ids
    /// whose time is up, so the table holds one window's worth of events.
    public func record(_ id: String, expiresAt: Date) async throws {
        let now = Date().timeIntervalSince1970
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO webhook_seen_events (id, expiresAt) VALUES (?, ?)
                    ON CONFLICT(id) DO UPDATE SET expiresAt = max(expiresAt, excluded.expiresAt)
                    """,
                arguments: [id, expiresAt.timeIntervalSince1970])
            try db.execute(sql: "DELETE FROM webhook_seen_events WHERE expiresAt <= ?", arguments: [now])
        }
    }

    /// Ids currently stored, expired or not (for tests and diagnostics).
    public func count() async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_seen_events") ?? 0 }
    }
}
