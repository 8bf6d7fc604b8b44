import Foundation
import GRDB

/// One room the bot joined because someone invited it, as stored.
public struct InvitedRoomRecord: Sendable, Hashable {
    /// The configured network name (`irc[].name`, `xmpp[].name`).
    public var network: String
    /// The room as the bot joined it: an IRC channel, an XMPP room's bare JID.
    public var room: String
    /// The inviter's verified identity in configuration form (`irc:NET/ACCOUNT`, `xmpp:user@host`),
    /// nil when the network could not verify it (then only the room's writers may `!leave`).
    public var inviter: String?
    /// The inviter's name as the server showed it (IRC nick, XMPP JID), for people to read.
    public var inviterName: String
    public var invitedAt: Date

    public init(network: String, room: String, inviter: String?, inviterName: String, invitedAt: Date) {
        self.network = network
        self.room = room
        self.inviter = inviter
        self.inviterName = inviterName
        self.invitedAt = invitedAt
    }
}

/// Rooms joined by invitation, in Tocsin's database, table `invited_rooms`: one row per network
/// and room (the room's name folded to lower case, since IRC channels and MUC JIDs compare without
/// case).
///
/// A team that invited the bot expects it to stay after the gateway restarts, and a room it was
/// kicked from or told to `!leave` must stay left: the row is what decides both. Channel keys and
/// room passwords are not stored (they are secrets; such a room needs an invitation again). The
/// core reads it through its `InvitedRoomStore` protocol; the gateway declares the conformance, so
/// this target does not depend on the core.
public struct InvitedRoomTable: DatabaseTable, Sendable {
    let database: any DatabaseWriter

    public init(database: any DatabaseWriter) throws {
        self.database = database
        try Self.migrate(database)
    }

    static let migrations: KeyValuePairs = [
        "invited_rooms_v1": """
            CREATE TABLE invited_rooms (
                network TEXT NOT NULL,
                roomKey TEXT NOT NULL, -- the room folded to lower case
                room TEXT NOT NULL,
                inviter TEXT,
                inviterName TEXT NOT NULL,
                invitedAt DOUBLE NOT NULL, -- seconds since 1970
                PRIMARY KEY (network, roomKey)
            );
            """,
    ]

    /// Every stored room, oldest invitation first.
    public func invitedRooms() async throws -> [InvitedRoomRecord] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT network, room, inviter, inviterName, invitedAt FROM invited_rooms ORDER BY invitedAt, rowid")
                .map { row in
                    InvitedRoomRecord(
                        network: row["network"], room: row["room"], inviter: row["inviter"],
                        inviterName: row["inviterName"], invitedAt: Date(timeIntervalSince1970: row["invitedAt"]))
                }
        }
    }

    /// Stores the room, or refreshes its inviter and time when it is already stored (a second
    /// invitation to the same room).
    public func saveInvitedRoom(_ record: InvitedRoomRecord) async throws {
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO invited_rooms (network, roomKey, room, inviter, inviterName, invitedAt)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(network, roomKey) DO UPDATE SET room = excluded.room, inviter = excluded.inviter,
                        inviterName = excluded.inviterName, invitedAt = excluded.invitedAt
                    """,
                arguments: [record.network, record.room.lowercased(), record.room, record.inviter, record.inviterName,
                            record.invitedAt.timeIntervalSince1970])
        }
    }

    /// Forgets the room (kicked, `!leave`); true when a row was removed.
    @discardableResult
    public func removeInvitedRoom(network: String, room: String) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM invited_rooms WHERE network = ? AND roomKey = ?",
                           arguments: [network, room.lowercased()])
            return db.changesCount > 0
        }
    }
}
