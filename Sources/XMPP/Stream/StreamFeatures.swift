/// What the server offers after each stream header, `<stream:features>` (RFC 6120 §4.3.2).
///
/// The negotiation order is driven by these: STARTTLS first (RFC 6120 §5), then SASL (§6),
/// then after the restart resource binding (§7) and optional extensions such as XEP-0198
/// Stream Management. An element that is not `<stream:features>` yields an empty value.
public struct StreamFeatures: Hashable, Sendable {
    /// `<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>` is offered (RFC 6120 §5.4.1).
    public var startTLS: Bool
    /// STARTTLS carries `<required/>`: the server will not continue in plaintext.
    public var startTLSRequired: Bool
    /// SASL mechanism names in the server's order (RFC 6120 §6.4.1), e.g. `SCRAM-SHA-1`, `PLAIN`.
    public var saslMechanisms: [String]
    /// Resource binding is offered (RFC 6120 §7.4).
    public var bind: Bool
    /// The legacy session feature is offered *without* `<optional/>`, so the client must send a
    /// session iq after binding (RFC 3921 §3; modern servers mark it optional).
    public var sessionRequired: Bool
    /// XEP-0198 Stream Management (`urn:xmpp:sm:3`) is offered.
    public var streamManagement: Bool
    /// The raw features element, for extensions this type does not model.
    public var element: XMLElement

    public init(element: XMLElement) {
        self.element = element
        let isFeatures = element.matches(name: "features", namespace: XMPPNamespace.streams)
        let children = isFeatures ? element.elementChildren : []
        let startTLSElement = children.first { $0.matches(name: "starttls", namespace: XMPPNamespace.tls) }
        startTLS = startTLSElement != nil
        startTLSRequired = startTLSElement?.firstChild(named: "required", namespace: XMPPNamespace.tls) != nil
        saslMechanisms = children
            .first { $0.matches(name: "mechanisms", namespace: XMPPNamespace.sasl) }?
            .children(named: "mechanism", namespace: XMPPNamespace.sasl)
            .map { $0.text.trimmingXMLWhitespace() }
            .filter { !$0.isEmpty } ?? []
        bind = children.contains { $0.matches(name: "bind", namespace: XMPPNamespace.bind) }
        let session = children.first { $0.matches(name: "session", namespace: XMPPNamespace.session) }
        sessionRequired = session != nil && session?.firstChild(named: "optional", namespace: XMPPNamespace.session) == nil
        streamManagement = children.contains { $0.matches(name: "sm", namespace: XMPPNamespace.streamManagement) }
    }

    /// Whether a feature with this name and namespace is present, for extensions not modelled here.
    public func contains(name: String, namespace: String) -> Bool {
        element.firstChild(named: name, namespace: namespace) != nil
    }
}
