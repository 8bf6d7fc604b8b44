/// A chat message as a front-end hands it to the core: protocol details already resolved.
public struct InboundMessage: Sendable, Hashable {
    /// Where it was said; replies go back here.
    public var origin: ChatDestination
    /// Display name of the sender (nick or room nick). Used in replies, never for authorization.
    public var senderName: String
    /// The identity the server vouches for, if any.
    public var identity: ChatIdentity?
    /// Why there is no identity, when the front-end knows (e.g. "this room is anonymous"),
    /// so a refusal can tell the user what to do.
    public var identityUnavailableReason: String?
    public var text: String
    /// The protocol's message id, for threaded replies (`+draft/reply`, XEP-0461).
    public var messageID: String?
    /// The bot's current names on this network (nick, room nick), for `tocsin: ack 1`.
    public var botNames: [String]

    public init(
        origin: ChatDestination, senderName: String, identity: ChatIdentity?, identityUnavailableReason: String? = nil,
        text: String, messageID: String? = nil, botNames: [String]
    ) {
        self.origin = origin
        self.senderName = senderName
        self.identity = identity
        self.identityUnavailableReason = identityUnavailableReason
        self.text = text
        self.messageID = messageID
        self.botNames = botNames
    }

    public var isDirect: Bool {
        if case .direct = origin.conversation { return true }
        return false
    }
}
