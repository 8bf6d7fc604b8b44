import TocsinCore
import XMPP

/// Decides what an inbound `<message>` is for the bot: a chat line for the core (with the
/// identity the server vouches for), an invitation, or something to ignore — history, subject
/// changes, our own reflections, errors.
struct InboundClassifier: Sendable {
    /// Told to people writing in an anonymous room, where the room hides real JIDs.
    static let anonymousRoomReason =
        "this room is anonymous — Tocsin cannot verify who you are; make the room non-anonymous or message the bot directly"

    enum Result: Sendable, Equatable {
        case chat(InboundMessage)
        case invitation(Invitation)
        case ignored(String)
    }

    /// An invitation to a room: XEP-0249 direct or XEP-0045 §7.8.2 mediated.
    struct Invitation: Sendable, Equatable {
        enum Kind: String, Sendable { case direct, mediated }
        var kind: Kind
        var room: JID
        var password: String?
        /// The inviter's bare JID as the server (direct) or the room (mediated) reports it.
        var inviter: JID?
        var inviterIdentity: ChatIdentity? { inviter.map { .xmpp($0.bare.description) } }
    }

    var network: String
    /// Our account's bare JID.
    var account: JID

    func classify(_ message: Message, rooms: RoomDirectory) -> Result {
        if message.isError { return .ignored("error reply: \(message.error?.description ?? "unknown")") }
        if let invite = message.mediatedInvite {
            return .invitation(Invitation(kind: .mediated, room: invite.room, password: invite.password, inviter: invite.from?.bare))
        }
        if let invite = message.directInvite {
            return .invitation(Invitation(kind: .direct, room: invite.room, password: invite.password, inviter: message.from?.bare))
        }
        guard let from = message.from else { return .ignored("no sender") }
        guard let body = message.body, body.contains(where: { !$0.isWhitespace }) else { return .ignored("no body") }
        // XEP-0203 delay marks room history and offline storage: old commands must not run again.
        if message.hasDelay { return .ignored("delayed (history or offline storage)") }

        switch message.type {
        case .groupchat:
            guard let room = rooms[from.bare] else { return .ignored("groupchat from a room the bot is not in") }
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
                let realJID = room.isAnonymous ? nil : room.realJID(ofNick: nick)
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

    static func unverifiedReason(room: MUCRoom, nick: String) -> String {
        if room.isAnonymous { return anonymousRoomReason }
        return "Tocsin cannot see the real JID behind the nickname \(nick) in \(room.jid); rejoin the room or message the bot directly"
    }
}
