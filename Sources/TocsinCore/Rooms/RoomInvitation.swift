/// An invitation to a room, as a transport hands it to the core once it has checked the
/// invitation's shape (IRC: an `INVITE` for us; XMPP: a room on a real MUC service, a mediated
/// invitation relayed by the room itself).
public struct RoomInvitation: Sendable, Hashable {
    public var network: String
    /// The IRC channel or the room's bare JID.
    public var room: String
    /// The inviter's identity, when the server vouches for it (services account, bare JID).
    public var inviter: ChatIdentity?
    /// The inviter's name as the server showed it (nick, JID), for people to read.
    public var inviterName: String
    /// Where a refusal may be answered: the inviter's own conversation, set only when the server
    /// stamped the sender (IRC source nick, XMPP `from`), never from text a stranger chose — so
    /// nobody can make the bot message a third party.
    public var answerTo: ChatDestination?

    public init(network: String, room: String, inviter: ChatIdentity?, inviterName: String, answerTo: ChatDestination?) {
        self.network = network
        self.room = room
        self.inviter = inviter
        self.inviterName = inviterName
        self.answerTo = answerTo
    }

    public var destination: ChatDestination { .room(room, on: network) }
}

/// Whether to follow an invitation, and if not, why — in words for the inviter.
public enum InvitationDecision: Sendable, Hashable {
    case accept
    case refuse(reason: String)

    public var isAccepted: Bool { self == .accept }
}

extension InvitePolicy {
    /// The same rules as ``allows(room:inviter:)``, plus the cap on invited rooms, with the reason
    /// of a refusal. `invitedRooms` is how many rooms this network already holds by invitation.
    public func decide(room: String, inviter: ChatIdentity?, invitedRooms: Int, maximumRooms: Int) -> InvitationDecision {
        guard accept else { return .refuse(reason: "invitations are not accepted on this network (invites.accept)") }
        guard roomPatterns.contains(where: { Glob.matches($0, room.lowercased()) }) else {
            return .refuse(reason: "\(room) is not a room this bot may join on invitation (invites.rooms)")
        }
        if let inviters {
            guard let inviter else {
                return .refuse(reason: "only listed inviters may invite it, and your identity is not verified (log in to services)")
            }
            guard inviters.contains(inviter) else {
                return .refuse(reason: "only listed inviters may invite it, and \(inviter) is not one (invites.inviters)")
            }
        }
        guard invitedRooms < maximumRooms else {
            return .refuse(reason: "it is already in as many rooms by invitation as allowed (\(maximumRooms), invites.max_rooms)")
        }
        return .accept
    }
}
