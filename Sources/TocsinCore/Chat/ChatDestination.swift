/// Where a message goes on one network: a room (IRC channel, XMPP MUC bare JID) or one person.
public enum Conversation: Sendable, Hashable, Codable, CustomStringConvertible {
    case room(String)
    /// A direct conversation with a nick (IRC) or a JID (XMPP).
    case direct(String)

    public var description: String {
        switch self {
        case .room(let name): name
        case .direct(let peer): "direct:\(peer)"
        }
    }
}

/// A conversation on a named network from the configuration. A single process serves many
/// networks, so every destination carries its network.
public struct ChatDestination: Sendable, Hashable, Codable, CustomStringConvertible {
    public var network: String
    public var conversation: Conversation

    public init(network: String, conversation: Conversation) {
        self.network = network
        self.conversation = conversation
    }

    public static func room(_ room: String, on network: String) -> ChatDestination {
        ChatDestination(network: network, conversation: .room(room))
    }

    public var description: String { "\(network)/\(conversation)" }

    /// Room names compared case-insensitively (IRC channels, MUC JIDs both fold case), for lookups
    /// that must not depend on how a server or a config file spelled the name.
    public var folded: ChatDestination {
        switch conversation {
        case .room(let name): ChatDestination(network: network, conversation: .room(name.lowercased()))
        case .direct: self
        }
    }
}
