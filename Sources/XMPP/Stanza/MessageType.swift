/// The `type` attribute of `<message>` (RFC 6121 §5.2.2).
public enum MessageType: String, CaseIterable, Hashable, Sendable {
    /// One-to-one conversation.
    case chat
    /// A multi-user chat room message (XEP-0045 §7.4).
    case groupchat
    /// An alert that expects no reply.
    case headline
    /// A standalone message; also what an absent or unknown type means (RFC 6121 §5.2.2).
    case normal
    /// An error about a message we sent (RFC 6120 §8.3).
    case error
}
