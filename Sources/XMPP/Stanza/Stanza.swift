/// Builders for the elements a client sends, each returning an ``XMLElement``.
///
/// Stanzas are built in `jabber:client` (RFC 6120 §4.8.3) so they serialize without `xmlns`
/// inside the stream; negotiation elements carry their own namespaces. Every value is escaped
/// at serialization time, so arguments may hold untrusted text.
public enum Stanza {
    // MARK: Negotiation (RFC 6120 §5–§7)

    /// `<starttls/>` (RFC 6120 §5.4.2.1).
    public static func startTLS() -> XMLElement {
        XMLElement("starttls", namespace: XMPPNamespace.tls)
    }

    /// `<auth mechanism='…'>` (RFC 6120 §6.4.2).
    ///
    /// - Parameter initialResponse: the base64 initial response (see ``SASLPayload``,
    ///   ``SASLPlain``); `""` is sent as `=` (an empty response), `nil` as no content (none).
    public static func auth(mechanism: SASLMechanismName, initialResponse: String?) -> XMLElement {
        auth(mechanism: mechanism.rawValue, initialResponse: initialResponse)
    }

    /// `<auth>` for a mechanism this codec does not model (e.g. `EXTERNAL`), by name.
    public static func auth(mechanism: String, initialResponse: String?) -> XMLElement {
        var auth = XMLElement("auth", namespace: XMPPNamespace.sasl, attributes: ["mechanism": mechanism])
        if let initialResponse { auth.append(text: initialResponse.isEmpty ? "=" : initialResponse) }
        return auth
    }

    /// `<response>` to a SASL challenge (RFC 6120 §6.4.3); `base64` as for ``auth(mechanism:initialResponse:)``.
    public static func saslResponse(_ base64: String) -> XMLElement {
        XMLElement("response", namespace: XMPPNamespace.sasl, text: base64.isEmpty ? "=" : base64)
    }

    /// `<abort/>`, giving up an exchange in progress (RFC 6120 §6.4.4).
    public static func saslAbort() -> XMLElement {
        XMLElement("abort", namespace: XMPPNamespace.sasl)
    }

    /// Resource binding request (RFC 6120 §7.6): `nil` lets the server choose the resource.
    public static func bind(resource: String?, id: String) -> XMLElement {
        var bind = XMLElement("bind", namespace: XMPPNamespace.bind)
        if let resource { bind.append(XMLElement("resource", text: resource)) }
        return iq(type: .set, id: id, payload: bind)
    }

    /// Legacy session establishment (RFC 3921 §3), only when ``StreamFeatures/sessionRequired``.
    public static func session(id: String) -> XMLElement {
        iq(type: .set, id: id, payload: XMLElement("session", namespace: XMPPNamespace.session))
    }

    // MARK: Stanzas (RFC 6120 §8, RFC 6121)

    /// `<presence>`: initial presence with no arguments (RFC 6121 §4.2), or directed presence.
    public static func presence(to: JID? = nil, type: PresenceType = .available, id: String? = nil, children: [XMLElement] = []) -> XMLElement {
        var attributes: [XMLAttribute] = []
        if let id { attributes.append(XMLAttribute("id", id)) }
        if let to { attributes.append(XMLAttribute("to", to.description)) }
        if type != .available { attributes.append(XMLAttribute("type", type.rawValue)) }
        return XMLElement("presence", namespace: XMPPNamespace.client, attributes: attributes, children: children.map(XMLNode.element))
    }

    /// `<message>` with a body (RFC 6121 §5.2). Use `.groupchat` to a bare room JID for MUC.
    public static func message(to: JID, type: MessageType = .chat, body: String?, id: String? = nil, children: [XMLElement] = []) -> XMLElement {
        var attributes: [XMLAttribute] = []
        if let id { attributes.append(XMLAttribute("id", id)) }
        attributes.append(XMLAttribute("to", to.description))
        attributes.append(XMLAttribute("type", type.rawValue))
        var message = XMLElement("message", namespace: XMPPNamespace.client, attributes: attributes)
        if let body { message.append(XMLElement("body", text: body)) }
        for child in children { message.append(child) }
        return message
    }

    /// XEP-0359 `<origin-id id='…'/>`: a stable id of our own for a message, kept by a MUC service
    /// in the reflection it sends back to us (XEP-0359 §5), where the stanza `id` may not be.
    public static func originID(_ id: String) -> XMLElement {
        XMLElement("origin-id", namespace: XMPPNamespace.stanzaID, attributes: ["id": id])
    }

    /// A generic `<iq>` (RFC 6120 §8.2.3): get and set carry exactly one payload element.
    public static func iq(type: IQType, id: String, to: JID? = nil, payload: XMLElement?) -> XMLElement {
        iq(type: type, id: id, to: to?.description, children: payload.map { [$0] } ?? [])
    }

    /// `type='result'` reply to a get or set (RFC 6120 §8.2.3): same id, addressed to the requester.
    public static func iqResult(replyingTo request: IQ, children: [XMLElement] = []) -> XMLElement {
        iq(type: .result, id: request.id, to: request.fromAttribute, children: children)
    }

    /// `type='result'` reply to a raw `<iq>` element.
    public static func iqResult(replyingTo request: XMLElement, children: [XMLElement] = []) -> XMLElement {
        iq(type: .result, id: request[attribute: "id"] ?? "", to: request[attribute: "from"], children: children)
    }

    /// `type='error'` reply (RFC 6120 §8.3). The default, `cancel` + `service-unavailable`, is the
    /// required answer to a get or set whose payload we do not understand (RFC 6120 §8.4).
    public static func iqError(
        replyingTo request: IQ,
        type: StanzaErrorType = .cancel,
        condition: String = "service-unavailable",
        text: String? = nil
    ) -> XMLElement {
        let error = StanzaError(type: type, condition: condition, text: text)
        return iq(type: .error, id: request.id, to: request.fromAttribute, children: [error.element])
    }

    /// `type='error'` reply to a raw `<iq>` element.
    public static func iqError(
        replyingTo request: XMLElement,
        type: StanzaErrorType = .cancel,
        condition: String = "service-unavailable",
        text: String? = nil
    ) -> XMLElement {
        let error = StanzaError(type: type, condition: condition, text: text)
        return iq(type: .error, id: request[attribute: "id"] ?? "", to: request[attribute: "from"], children: [error.element])
    }

    /// XEP-0199 ping: to the server (`to: nil` or the domain) to check the connection, or to an
    /// occupant JID for a XEP-0410 MUC self-ping.
    public static func ping(to: JID?, id: String) -> XMLElement {
        iq(type: .get, id: id, to: to, payload: XMLElement("ping", namespace: XMPPNamespace.ping))
    }

    /// Whether `element` is a stanza proper — `message`, `presence` or `iq` in `jabber:client` —
    /// as opposed to a negotiation or stream-management element (RFC 6120 §8, XEP-0198 §4).
    public static func isStanza(_ element: XMLElement) -> Bool {
        element.namespace == XMPPNamespace.client && ["message", "presence", "iq"].contains(element.name)
    }

    private static func iq(type: IQType, id: String, to: String?, children: [XMLElement]) -> XMLElement {
        var attributes = [XMLAttribute("id", id)]
        if let to { attributes.append(XMLAttribute("to", to)) }
        attributes.append(XMLAttribute("type", type.rawValue))
        return XMLElement("iq", namespace: XMPPNamespace.client, attributes: attributes, children: children.map(XMLNode.element))
    }
}
