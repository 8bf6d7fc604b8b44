import Foundation

/// A line said in a room, as the gateway saw it go by: someone's message or the bot's own reply.
/// Handed to a ``ChatLineRecorder`` without waiting; the recorder decides whether it is kept.
public struct ObservedChatLine: Sendable, Hashable {
    public var at: Date
    public var room: ChatDestination
    /// The nick (IRC) or room nick (XMPP) as shown in the room; not an identity.
    public var nick: String
    /// The identity the server vouches for, if any (shown beside the nick on the page).
    public var identity: ChatIdentity?
    public var text: String
    /// The bot's own line (a command's reply).
    public var isBot: Bool

    public init(at: Date, room: ChatDestination, nick: String, identity: ChatIdentity?, text: String, isBot: Bool = false) {
        self.at = at
        self.room = room
        self.nick = nick
        self.identity = identity
        self.text = text
        self.isBot = isBot
    }

    /// A person's line as a transport delivered it; nil for direct messages, which are never recorded.
    public init?(_ message: InboundMessage, at: Date = Date()) {
        guard case .room = message.origin.conversation else { return nil }
        self.init(at: at, room: message.origin, nick: message.senderName, identity: message.identity, text: message.text)
    }
}

/// A line kept in an incident's timeline (one row per incident it belongs to).
public struct RecordedChatLine: Sendable, Hashable, Codable {
    public var incident: Int
    public var at: Date
    public var network: String
    public var room: String
    public var nick: String
    /// `irc:NETWORK/ACCOUNT` or `xmpp:user@domain`, when the server vouched for the sender.
    public var identity: String?
    public var text: String
    public var isBot: Bool

    /// Lines longer than this are cut (a pasted log must not fill the database).
    public static let maximumLength = 2000

    public init(incident: Int, at: Date, network: String, room: String, nick: String, identity: String?, text: String, isBot: Bool) {
        self.incident = incident
        self.at = at
        self.network = network
        self.room = room
        self.nick = nick
        self.identity = identity
        self.text = String(text.prefix(Self.maximumLength))
        self.isBot = isBot
    }

    public init(_ line: ObservedChatLine, incident: Int) {
        guard case .room(let room) = line.room.conversation else { preconditionFailure("only room lines are recorded") }
        self.init(incident: incident, at: line.at, network: line.room.network, room: room, nick: line.nick,
                  identity: line.identity?.description, text: line.text, isBot: line.isBot)
    }
}
