/// A mediated MUC invitation relayed by the room itself (XEP-0045 §7.8.2):
/// `<message from='room@…'><x xmlns='…muc#user'><invite from='inviter'><reason/></invite><password/></x></message>`.
public struct MediatedInvite: Hashable, Sendable {
    /// The room (the message's sender, bare).
    public var room: JID
    /// The real JID of the occupant who invited us, as reported by the room.
    public var from: JID?
    public var reason: String?
    public var password: String?

    public init(room: JID, from: JID? = nil, reason: String? = nil, password: String? = nil) {
        self.room = room
        self.from = from
        self.reason = reason
        self.password = password
    }

    /// Reads the invitation from a message; `nil` if it has none or the sender is not a valid JID.
    public init?(message: XMLElement) {
        let namespace = XMPPNamespace.mucUser
        guard let x = message.firstChild(named: "x", namespace: namespace),
              let invite = x.firstChild(named: "invite", namespace: namespace),
              let room = message.jidAttribute("from")
        else { return nil }
        self.room = room.bare
        from = invite.jidAttribute("from")
        reason = invite.firstChild(named: "reason", namespace: namespace)?.text
        password = x.firstChild(named: "password", namespace: namespace)?.text
    }
}
