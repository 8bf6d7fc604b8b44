/// A direct MUC invitation, `<x xmlns='jabber:x:conference' jid='room@…'/>` in a message (XEP-0249).
///
/// Sent user-to-user, so the inviter is the message's sender; whether to accept (and from whom)
/// is policy for the caller.
public struct DirectInvite: Hashable, Sendable {
    /// The room to join (bare JID).
    public var room: JID
    /// Who sent the invitation (the message's `from`).
    public var from: JID?
    public var password: String?
    public var reason: String?

    public init(room: JID, from: JID? = nil, password: String? = nil, reason: String? = nil) {
        self.room = room
        self.from = from
        self.password = password
        self.reason = reason
    }

    /// Reads the invitation from a message; `nil` if it has none or the room JID is invalid.
    public init?(message: XMLElement) {
        guard let invite = message.firstChild(named: "x", namespace: XMPPNamespace.conference),
              let room = invite.jidAttribute("jid")
        else { return nil }
        self.room = room.bare
        from = message.jidAttribute("from")
        password = invite[attribute: "password"]
        reason = invite[attribute: "reason"]
    }
}
