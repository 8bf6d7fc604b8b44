/// A parsed `<iq>` (RFC 6120 §8.2.3): a request (`get`/`set`) that must be answered, or the
/// answer (`result`/`error`) to one of ours, matched by ``id``.
public struct IQ: Hashable, Sendable {
    /// The raw stanza.
    public var element: XMLElement
    /// The request/response correlation id (required for iq).
    public var id: String
    public var type: IQType
    /// The sender; `nil` when absent (the server on the account's behalf) or not a valid JID.
    public var from: JID?
    public var to: JID?
    /// The first child element other than `<error>`: the query of a get/set (e.g. `<ping/>`,
    /// `<query xmlns='…disco#info'/>`), the data of a result.
    public var payload: XMLElement?
    /// The error of a `type='error'` iq.
    public var error: StanzaError?

    /// Parses an `<iq>` in `jabber:client`; `nil` for other elements or an iq without an id or
    /// with an unknown type (which RFC 6120 §8.2.3 makes invalid).
    public init?(element: XMLElement) {
        guard element.matches(name: "iq", namespace: XMPPNamespace.client),
              let id = element[attribute: "id"],
              let type = element[attribute: "type"].flatMap(IQType.init(rawValue:))
        else { return nil }
        self.element = element
        self.id = id
        self.type = type
        from = element.jidAttribute("from")
        to = element.jidAttribute("to")
        payload = element.elementChildren.first { !($0.name == "error" && $0.namespace == XMPPNamespace.client) }
        error = type == .error ? StanzaError(stanza: element) : nil
    }

    /// The `from` attribute exactly as received, so a reply reaches the sender even when it is
    /// not a JID this parser accepts.
    var fromAttribute: String? { element[attribute: "from"] }

    /// Whether this is a request whose payload is `name` in `namespace`.
    public func isRequest(_ type: IQType, payload name: String, namespace: String) -> Bool {
        self.type == type && payload?.matches(name: name, namespace: namespace) == true
    }

    /// A XEP-0199 ping addressed to us, to be answered with ``Stanza/iqResult(replyingTo:children:)``.
    public var isPing: Bool { isRequest(.get, payload: "ping", namespace: XMPPNamespace.ping) }
}
