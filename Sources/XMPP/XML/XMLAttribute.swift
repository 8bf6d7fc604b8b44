/// One attribute of an ``XMLElement``.
///
/// XMPP is namespace-aware XML (RFC 6120 §11.2), so an attribute is identified by its local
/// name plus an optional namespace URI. Almost every XMPP attribute is unqualified
/// (`namespace == nil`); the one qualified attribute every stream carries is `xml:lang`
/// (RFC 6120 §4.7.4). Attributes in the XML namespace are therefore stored with their
/// conventional `xml:` prefix in ``name`` and a `nil` namespace, so `element[attribute: "xml:lang"]`
/// works and a parsed attribute equals a built one.
public struct XMLAttribute: Hashable, Sendable {
    /// The local name, or `xml:`-prefixed name for attributes in the XML namespace.
    public var name: String
    /// The attribute's value, unescaped.
    public var value: String
    /// The namespace URI of a qualified attribute; `nil` for the usual unqualified attribute.
    public var namespace: String?

    /// Creates an attribute. An empty namespace means "unqualified", and the XML namespace is
    /// folded into an `xml:` prefix (see the type's documentation).
    public init(_ name: String, _ value: String, namespace: String? = nil) {
        if namespace == XMLNamespaceURI.xml, !name.hasPrefix("xml:") {
            self.name = "xml:" + name
            self.namespace = nil
        } else {
            self.name = name
            self.namespace = (namespace?.isEmpty ?? true) || namespace == XMLNamespaceURI.xml ? nil : namespace
        }
        self.value = value
    }

    /// Creates an attribute with labelled arguments; same rules as ``init(_:_:namespace:)``.
    public init(name: String, value: String, namespace: String? = nil) {
        self.init(name, value, namespace: namespace)
    }
}

extension XMLAttribute: Comparable {
    /// Orders by namespace then name, so attribute sets can be compared regardless of order
    /// (XML 1.0 §3.1: attribute order is not significant).
    public static func < (lhs: XMLAttribute, rhs: XMLAttribute) -> Bool {
        let lns = lhs.namespace ?? "", rns = rhs.namespace ?? ""
        if lns != rns { return lns < rns }
        if lhs.name != rhs.name { return lhs.name < rhs.name }
        return lhs.value < rhs.value
    }
}
