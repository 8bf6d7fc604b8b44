import Foundation
import GRDB

/// Subscriptions made from chat (`!subscribe` in a room, issue 12), in Tocsin's database, table
/// `chat_subscriptions`: one row per room and filter. Configuration routes are not stored here;
/// they come from the file at every start.
///
/// A subscription has to outlive the process like the room it was made in: a team that connected
/// its channel once must not find it silent after a restart. The router reads it through the
/// core's `SubscriptionStore` protocol; the gateway declares the conformance, so this target does
/// not depend on the core.
public struct SubscriptionTable: DatabaseTable, Sendable {
    let database: any DatabaseWriter

    /// One stored subscription. Filters are lists of names (nil: no filter); `key` identifies the
    /// room and filter (the core's `RouteRule.filterKey`), unique in the table.
    public struct Row: Sendable, Hashable {
        public var key: String
        public var network: String
        public var room: String
        public var services: [String]?
        public var teams: [String]?
        public var urgencies: [String]?
        public var minimumSeverity: String?
        public var kinds: [String]?
        public var addedBy: String?
        public var createdAt: Date

        public init(key: String, network: String, room: String, services: [String]? = nil, teams: [String]? = nil,
                    urgencies: [String]? = nil, minimumSeverity: String? = nil, kinds: [String]? = nil,
                    addedBy: String? = nil, createdAt: Date = Date()) {
            self.key = key
            self.network = network
            self.room = room
            self.services = services
            self.teams = teams
            self.urgencies = urgencies
            self.minimumSeverity = minimumSeverity
            self.kinds = kinds
            self.addedBy = addedBy
            self.createdAt = createdAt
        }
    }

    public init(database: any DatabaseWriter) throws {
        self.database = database
        try Self.migrate(database)
    }

    static let migrations: KeyValuePairs = [
        "chat_subscriptions_v1": """
            CREATE TABLE chat_subscriptions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                filterKey TEXT NOT NULL UNIQUE,
                network TEXT NOT NULL,
                room TEXT NOT NULL,
                services TEXT,   -- names separated by U+001F; NULL: any
                teams TEXT,
                urgencies TEXT,
                minimumSeverity TEXT,
                kinds TEXT,
                addedBy TEXT,
                createdAt DOUBLE NOT NULL -- seconds since 1970
            );
            """,
    ]

    private static let separator = "\u{1F}"

    private static func join(_ list: [String]?) -> String? { list?.joined(separator: separator) }

    private static func split(_ text: String?) -> [String]? {
        text.map { $0.isEmpty ? [] : $0.components(separatedBy: separator) }
    }

    /// Every stored subscription, oldest first.
    public func all() async throws -> [Row] {
        try await database.read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT * FROM chat_subscriptions ORDER BY id").map { row in
                Row(key: row["filterKey"], network: row["network"], room: row["room"],
                    services: Self.split(row["services"]), teams: Self.split(row["teams"]),
                    urgencies: Self.split(row["urgencies"]), minimumSeverity: row["minimumSeverity"],
                    kinds: Self.split(row["kinds"]), addedBy: row["addedBy"],
                    createdAt: Date(timeIntervalSince1970: row["createdAt"]))
            }
        }
    }

    /// Stores `row`; a row with the same key is kept as it was (subscribing twice changes nothing).
    /// Returns whether a row was added.
    @discardableResult
    public func insert(_ row: Row) async throws -> Bool {
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO chat_subscriptions
                        (filterKey, network, room, services, teams, urgencies, minimumSeverity, kinds, addedBy, createdAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(filterKey) DO NOTHING
                    """,
                arguments: [row.key, row.network, row.room, Self.join(row.services), Self.join(row.teams), Self.join(row.urgencies),
                            row.minimumSeverity, Self.join(row.kinds), row.addedBy, row.createdAt.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    /// Removes the subscription with `key`; returns whether there was one.
    @discardableResult
    public func delete(key: String) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM chat_subscriptions WHERE filterKey = ?", arguments: [key])
            return db.changesCount > 0
        }
    }
}
