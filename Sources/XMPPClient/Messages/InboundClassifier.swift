import TocsinCore
import XMPP

/// Decides what an inbound `<message>` is for the bot: a chat line for the core (with the
/// identity the server vouches for), an invitation, or something to ignore — history, subject
/// changes, our own reflections, errors — or something not to believe: an invitation that is not
/// what it claims, traffic from a "room" the bot never joined.
struct InboundClassifier: Sendable {
    /// Told to people writing in an anonymous room, where the room hides real JIDs.
    static let anonymousRoomReason =
        "this room is anonymous — Tocsin cannot verify who you are; make the room non-anonymous or message the bot directly"

    enum Result: Sendable, Equatable {
        case chat(InboundMessage)
        case invitation(Invitation)
        /// Harmless and not for the bot (history, chat states, subject changes).
        case ignored(String)
        /// Not believed: a forged or misdirected invitation, traffic from a room not joined.
        case rejected(String)
    }

    /// An invitation to a room: XEP-0249 direct or XEP-0045 §7.8.2 mediated.
    struct Invitation: Sendable, Equatable {
        enum Kind: String, Sendable { case direct, mediated }
        var kind: Kind
        var room: JID
        var password: String?
        /// The inviter's bare JID: for a direct invitation the stanza's own `from`, stamped by the
        /// server (XEP-0249 §2); for a mediated one the room's report, believed only because the
        /// stanza comes from the room's bare JID (XEP-0045 §7.8.2), which no user can send as.
        var inviter: JID?
        var inviterIdentity: ChatIdentity? { inviter.map { .xmpp($0.bare.description) } }
    }

    var network: String
    /// Our account's bare JID.
    var account: JID

    func classify(_ message: Message, rooms: RoomDirectory) -> Result {
        if message.isError { return .ignored("error reply: \(message.error?.description ?? "unknown")") }
        if let invitation = invitation(in: message) { return invitation }
        guard let from = message.from else { return .ignored("no sender") }
        guard let body = message.body, body.contains(where: { !$0.isWhitespace }) else { return .ignored("no body") }
        // XEP-0203 delay marks room history and offline storage: old commands must not run again.
        if message.hasDelay { return .ignored("delayed (history or offline storage)") }

        switch message.type {
        case .groupchat:
            // Only a room that sent our self-presence (status 110) this session is a room we are in;
            // anything else claiming to be one is somebody's account or a room we left.
            guard let room = rooms[from.bare] else { return .rejected("groupchat from \(from.bare), a room the bot is not in") }
            guard room.isJoined else { return .rejected("groupchat from \(room.jid), which has not confirmed our join (no status 110)") }
            guard let nick = from.resourcepart else { return .ignored("message from the room itself") }
            if message.subject != nil { return .ignored("subject change") }
            if nick == room.nick { return .ignored("our own message reflected by the room") }
            let identity = room.realJID(ofNick: nick).map { ChatIdentity.xmpp($0.bare.description) }
            return .chat(InboundMessage(
                origin: .room(room.jid.description, on: network),
                senderName: nick,
                identity: identity,
                identityUnavailableReason: identity == nil ? Self.unverifiedReason(room: room, nick: nick) : nil,
                text: body,
                messageID: message.id,
                botNames: [room.nick]))

        case .chat, .normal:
            let origin = ChatDestination(network: network, conversation: .direct(from.description))
            let localpart = account.localpart ?? account.domainpart
            if let room = rooms[from.bare] {
                // A private message through a room (XEP-0045 §7.5): the sender is an occupant JID,
                // which proves nothing unless the room shows who is behind the nickname.
                let nick = from.resourcepart ?? ""
                let realJID = room.isAnonymous || !room.isJoined ? nil : room.realJID(ofNick: nick)
                let identity = realJID.map { ChatIdentity.xmpp($0.bare.description) }
                return .chat(InboundMessage(
                    origin: origin,
                    senderName: nick.isEmpty ? room.jid.description : nick,
                    identity: identity,
                    identityUnavailableReason: identity == nil ? Self.unverifiedReason(room: room, nick: nick) : nil,
                    text: body,
                    messageID: message.id,
                    botNames: [localpart, room.nick]))
            }
            guard from.localpart != nil else { return .ignored("message from a server or service") }
            if from.bare == account.bare { return .ignored("message from our own account") }
            return .chat(InboundMessage(
                origin: origin,
                senderName: from.bare.description,
                identity: .xmpp(from.bare.description),
                text: body,
                messageID: message.id,
                botNames: [localpart]))

        case .headline, .error:
            return .ignored("\(message.type.rawValue) message")
        }
    }

    /// An invitation whose shape can be believed, a rejection, or nil when the message has none.
    /// Whether the room's domain is a MUC service is the session's question (it may still be
    /// discovering them).
    private func invitation(in message: Message) -> Result? {
        var rejection: Result?
        if let invite = message.mediatedInvite {
            // XEP-0045 §7.8.2: the room relays the invitation from its own bare JID. From an
            // occupant JID (a private message through the room) or an account, the `from` inside
            // <invite> is whatever the sender typed.
            if let from = message.from, from.isBare, from.localpart != nil {
                return .invitation(Invitation(kind: .mediated, room: from, password: invite.password, inviter: invite.from?.bare))
            }
            rejection = .rejected("mediated invitation not sent by a room's bare JID (from \(message.from?.description ?? "nobody"))")
        }
        if let invite = message.directInvite {
            guard let from = message.from else { return .rejected("direct invitation without a sender") }
            guard invite.room.localpart != nil, invite.room.isBare else {
                return .rejected("direct invitation to \(invite.room), which is not a room JID")
            }
            return .invitation(Invitation(kind: .direct, room: invite.room, password: invite.password, inviter: from.bare))
        }
        return rejection
    }

    static func unverifiedReason(room: MUCRoom, nick: String) -> String {
        if !room.isJoined { return "Tocsin is not in \(room.jid) at the moment, so it cannot see who \(nick) is; message the bot directly" }
        if room.isAnonymous { return anonymousRoomReason }
        return "Tocsin cannot see the real JID behind the nickname \(nick) in \(room.jid); rejoin the room or message the bot directly"
    }
}
