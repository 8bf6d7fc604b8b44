/// A parsed `<presence>` (RFC 6121 §4), including XEP-0045 occupant information.
///
/// In a room, the presence reflecting our own join carries status 110 in ``mucUser``; a join
/// refused by the room is a `type='error'` presence whose ``error`` condition says why
/// (see ``MUC/JoinFailure``).
public struct Presence: Hashable, Sendable {
    /// The raw stanza.
    public var element: XMLElement
    /// The sender (for rooms, the occupant JID `room@service/nick`); `nil` if absent or invalid.
    public var from: JID?
    public var to: JID?
    /// ``PresenceType/available`` when the attribute is absent (RFC 6121 §4.7.1).
    public var type: PresenceType
    public var id: String?
    /// `away`, `chat`, `dnd` or `xa` (RFC 6121 §4.7.2.1); `nil` means online.
    public var show: String?
    /// Free-form status text.
    public var status: String?
    /// The XEP-0045 `<x xmlns='…muc#user'>` block, if any.
    public var mucUser: MUCUserInfo?
    /// The stanza error of a `type='error'` presence.
    public var error: StanzaError?

    /// Parses a `<presence>` in `jabber:client`; `nil` for other elements or an unknown type
    /// (RFC 6121 §4.7.1 lists them all).
    public init?(element: XMLElement) {
        guard element.matches(name: "presence", namespace: XMPPNamespace.client) else { return nil }
        if let rawType = element[attribute: "type"] {
            guard let type = PresenceType(rawValue: rawType), type != .available else { return nil }
            self.type = type
        } else {
            type = .available
        }
        self.element = element
        from = element.jidAttribute("from")
        to = element.jidAttribute("to")
        id = element[attribute: "id"]
        show = element.firstChild(named: "show", namespace: XMPPNamespace.client)?.text
        status = element.firstChild(named: "status", namespace: XMPPNamespace.client)?.text
        mucUser = element.firstChild(named: "x", namespace: XMPPNamespace.mucUser).map(MUCUserInfo.init(element:))
        error = type == .error ? StanzaError(stanza: element) : nil
    }

    /// The defined condition of an error presence, e.g. `conflict` for a taken nickname.
    public var errorCondition: String? { error?.condition }

    /// The presence is an error (RFC 6120 §8.3).
    public var isError: Bool { type == .error }
}
