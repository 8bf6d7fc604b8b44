import Foundation
import GRDB

/// Chat captured into incident timelines (issue 13), tables `chat_record_lines` and
/// `chat_record_rooms`.
///
/// `chat_record_rooms` remembers which rooms received each incident's announcements (only those
/// rooms' lines are ever kept for it); `chat_record_lines` holds the kept lines, one row per
/// incident a line belongs to, with time, nick, verified identity (if any), network and room.
/// Lines older than the retention (90 days by default) are deleted by ``prune(olderThan:)``,
/// which the gateway's maintenance runs every hour.
public struct ChatRecordTable: DatabaseTable, Sendable {
    let database: any DatabaseWriter

    /// One kept line.
    public struct Line: Sendable, Hashable {
        public var incident: Int
        public var at: Date
        public var network: String
        public var room: String
        public var nick: String
        public var identity: String?
        public var text: String
        public var isBot: Bool

        public init(incident: Int, at: Date, network: String, room: String, nick: String, identity: String?, text: String, isBot: Bool) {
            self.incident = incident
            self.at = at
            self.network = network
            self.room = room
            self.nick = nick
            self.identity = identity
            self.text = text
            self.isBot = isBot
        }
    }

    public init(database: any DatabaseWriter) throws {
        self.database = database
        try Self.migrate(database)
    }

    static let migrations: KeyValuePairs = [
        "chat_record_v1": """
            CREATE TABLE chat_record_rooms (
                incident INTEGER NOT NULL,
                network TEXT NOT NULL,
                room TEXT NOT NULL, -- lowercased
                announcedAt DOUBLE NOT NULL, -- first announcement, seconds since 1970
                PRIMARY KEY (incident, network, room)
            );
            CREATE INDEX chat_record_rooms_room ON chat_record_rooms(network, room, announcedAt);
            CREATE TABLE chat_record_lines (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                incident INTEGER NOT NULL,
                at DOUBLE NOT NULL,
                network TEXT NOT NULL,
                room TEXT NOT NULL,
                nick TEXT NOT NULL,
                identity TEXT,
                text TEXT NOT NULL,
                isBot INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX chat_record_lines_incident ON chat_record_lines(incident, at, id);
            CREATE INDEX chat_record_lines_age ON chat_record_lines(at);
            """,
    ]

    /// Remembers that `room` received an announcement of `incident` (the first time counts).
    public func noteAnnounced(incident: Int, network: String, room: String, at: Date) async throws {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO chat_record_rooms (incident, network, room, announcedAt) VALUES (?, ?, ?, ?)
                ON CONFLICT(incident, network, room) DO UPDATE SET announcedAt = min(announcedAt, excluded.announcedAt)
                """, arguments: [incident, network, room.lowercased(), at.timeIntervalSince1970])
        }
    }

    /// Incidents announced in the room since `since`.
    public func incidentsAnnounced(network: String, room: String, since: Date) async throws -> [Int] {
        try await database.read { db in
            // Cached: the chat recorder asks this for commands' rooms (compiled once per reader connection).
            try Int.fetchAll(db.cachedStatement(sql: """
                SELECT incident FROM chat_record_rooms WHERE network = ? AND room = ? AND announcedAt >= ? ORDER BY incident
                """), arguments: [network, room.lowercased(), since.timeIntervalSince1970])
        }
    }

    /// The rooms that received the incident's announcements, as `(network, room)`.
    public func rooms(incident: Int) async throws -> [(network: String, room: String)] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT network, room FROM chat_record_rooms WHERE incident = ? ORDER BY announcedAt, network, room",
                             arguments: [incident]).map { ($0["network"], $0["room"]) }
        }
    }

    public func append(_ lines: [Line]) async throws {
        guard !lines.isEmpty else { return }
        try await database.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO chat_record_lines (incident, at, network, room, nick, identity, text, isBot) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for line in lines {
                try statement.execute(arguments: [line.incident, line.at.timeIntervalSince1970, line.network, line.room, line.nick,
                                                  line.identity, line.text, line.isBot])
            }
        }
    }

    /// The incident's kept lines, oldest first (in the order they were said).
    public func lines(incident: Int, limit: Int = 5000) async throws -> [Line] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM chat_record_lines WHERE incident = ? ORDER BY at, id LIMIT ?
                """, arguments: [incident, limit]).map { row in
                Line(incident: row["incident"], at: Date(timeIntervalSince1970: row["at"]), network: row["network"],
                     room: row["room"], nick: row["nick"], identity: row["identity"], text: row["text"], isBot: row["isBot"])
            }
        }
    }

    /// Deletes lines said before `cutoff`, and the room notes of incidents announced before it.
    @discardableResult
    public func prune(olderThan cutoff: Date) async throws -> Int {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM chat_record_lines WHERE at < ?", arguments: [cutoff.timeIntervalSince1970])
            let removed = db.changesCount
            try db.execute(sql: "DELETE FROM chat_record_rooms WHERE announcedAt < ?", arguments: [cutoff.timeIntervalSince1970])
            return removed
        }
    }
}
