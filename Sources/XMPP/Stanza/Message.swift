/// A parsed `<message>` (RFC 6121 §5) with the extensions a chat bot must look at before acting.
///
/// Before treating a room message as a command check ``hasDelay`` — XEP-0045 §7.2.15 history is
/// replayed with a XEP-0203 `<delay/>`, and executing it would re-run old commands.
public struct Message: Hashable, Sendable {
    /// The raw stanza.
    public var element: XMLElement
    /// The sender (for `groupchat`: `room@service/nick`); `nil` if absent or not a valid JID.
    public var from: JID?
    public var to: JID?
    /// The type; absent or unknown types read as ``MessageType/normal`` (RFC 6121 §5.2.2).
    public var type: MessageType
    public var id: String?
    /// The body without `xml:lang` (or the first body) — RFC 6121 §5.2.3 allows one per language.
    public var body: String?
    /// The subject; a groupchat message with a subject and no body is a room subject change
    /// (XEP-0045 §8.1), not something to reply to.
    public var subject: String?
    /// The message carries a XEP-0203 `<delay/>` (or legacy XEP-0091 `jabber:x:delay`): it is
    /// history or offline storage, not live.
    public var hasDelay: Bool
    /// A XEP-0249 direct invitation.
    public var directInvite: DirectInvite?
    /// A XEP-0045 §7.8.2 mediated invitation relayed by a room.
    public var mediatedInvite: MediatedInvite?
    /// The stanza error of a `type='error'` message.
    public var error: StanzaError?
    /// The sender's XEP-0359 `<origin-id id='…'/>`: a MUC service reflecting our own message
    /// keeps it (XEP-0359 §5), so it ties the reflection to what we sent.
    public var originID: String?

    /// Parses a `<message>` in `jabber:client`; `nil` for any other element.
    public init?(element: XMLElement) {
        guard element.matches(name: "message", namespace: XMPPNamespace.client) else { return nil }
        self.element = element
        from = element.jidAttribute("from")
        to = element.jidAttribute("to")
        type = element[attribute: "type"].flatMap(MessageType.init(rawValue:)) ?? .normal
        id = element[attribute: "id"]
        body = Self.preferredLanguageText(element.children(named: "body", namespace: XMPPNamespace.client))
        subject = Self.preferredLanguageText(element.children(named: "subject", namespace: XMPPNamespace.client))
        hasDelay = element.firstChild(named: "delay", namespace: XMPPNamespace.delay) != nil
            || element.firstChild(named: "x", namespace: "jabber:x:delay") != nil
        directInvite = DirectInvite(message: element)
        mediatedInvite = MediatedInvite(message: element)
        error = type == .error ? StanzaError(stanza: element) : nil
        originID = element.firstChild(named: "origin-id", namespace: XMPPNamespace.stanzaID)?[attribute: "id"]
    }

    /// The message is a bounce for something we sent (RFC 6120 §8.3).
    public var isError: Bool { type == .error }

    private static func preferredLanguageText(_ candidates: [XMLElement]) -> String? {
        (candidates.first { $0[attribute: "xml:lang"] == nil } ?? candidates.first)?.text
    }
}
