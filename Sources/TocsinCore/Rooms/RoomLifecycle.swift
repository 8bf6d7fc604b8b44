#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A room the bot sits in because somebody invited it.
public struct InvitedRoom: Sendable, Hashable {
    public var destination: ChatDestination
    /// The inviter's verified identity (nil when the network could not verify it).
    public var inviter: ChatIdentity?
    public var inviterName: String
    public var invitedAt: Date

    public init(destination: ChatDestination, inviter: ChatIdentity?, inviterName: String, invitedAt: Date) {
        self.destination = destination
        self.inviter = inviter
        self.inviterName = inviterName
        self.invitedAt = invitedAt
    }

    public var room: String {
        if case .room(let name) = destination.conversation { return name }
        return destination.conversation.description
    }
}

/// What happened to one of the bot's rooms, as a transport tells the core.
public enum RoomEvent: Sendable, Hashable {
    /// The server confirmed our join (IRC JOIN echo, XMPP self-presence with status 110).
    case joined(ChatDestination)
    /// Someone removed the bot (kick, a part it did not ask for, the room destroyed): an invited
    /// room is forgotten, a configured one follows `rejoin_after_kick_seconds`.
    case removed(ChatDestination, reason: String)
}

/// What a chat transport asks of, and tells, the core about rooms. ``RoomRegistry`` is the one
/// implementation; the transports see only this, so IRC and XMPP follow the same rules.
public protocol RoomLifecycle: Sendable {
    /// The invited rooms to (re)join on `network` when it starts.
    func invitedRooms(on network: String) -> [InvitedRoom]
    /// Follow this invitation? Called synchronously by the session; an accepted room is counted
    /// and stored at once, a refused one may be answered to the inviter (rate-limited).
    func decide(_ invitation: RoomInvitation) -> InvitationDecision
    func roomEvent(_ event: RoomEvent)
}

/// A transport that can leave a room on the core's request (`!leave`).
public protocol RoomControl: Sendable {
    var network: String { get }
    /// Leaves `room` now with `reason` (the IRC PART reason, the XMPP unavailable status) and does
    /// not come back on this connection.
    func leave(room: String, reason: String) async
}

/// Where invited rooms are remembered across restarts (TocsinStorage's `InvitedRoomTable`).
public protocol InvitedRoomStore: Sendable {
    func loadInvitedRooms() async throws -> [InvitedRoom]
    func save(_ room: InvitedRoom) async throws
    func forget(_ destination: ChatDestination) async throws
}
