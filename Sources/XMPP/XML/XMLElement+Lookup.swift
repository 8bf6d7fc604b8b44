/// Read access to the parts of an element a stanza handler looks at.
///
/// A `namespace` of `nil` in a lookup means "any namespace"; pass the namespace whenever the
/// spec defines one, because an element's meaning in XMPP is its (namespace, name) pair
/// (RFC 6120 §8.4: extended content is identified by namespace).
extension XMLElement {
    /// The value of an unqualified attribute (or `xml:lang`-style name); setting `nil` removes it.
    public subscript(attribute name: String) -> String? {
        get { attributes.first { $0.name == name && $0.namespace == nil }?.value }
        set {
            if let index = attributes.firstIndex(where: { $0.name == name && $0.namespace == nil }) {
                if let newValue {
                    attributes[index].value = newValue
                } else {
                    attributes.remove(at: index)
                }
            } else if let newValue {
                attributes.append(XMLAttribute(name, newValue))
            }
        }
    }

    /// The value of an attribute in a given namespace.
    public subscript(attribute name: String, namespace namespace: String) -> String? {
        let probe = XMLAttribute(name, "", namespace: namespace)
        return attributes.first { $0.name == probe.name && $0.namespace == probe.namespace }?.value
    }

    /// The child elements, skipping text.
    public var elementChildren: [XMLElement] {
        children.compactMap(\.element)
    }

    /// The first child element with this name (and namespace, if given).
    public func firstChild(named name: String, namespace: String? = nil) -> XMLElement? {
        for case .element(let child) in children where child.matches(name: name, namespace: namespace) {
            return child
        }
        return nil
    }

    /// Every child element with this name (and namespace, if given), in document order.
    public func children(named name: String, namespace: String? = nil) -> [XMLElement] {
        children.compactMap { node in
            guard case .element(let child) = node, child.matches(name: name, namespace: namespace) else { return nil }
            return child
        }
    }

    /// The first child element in a namespace, whatever its name — how defined conditions are found
    /// (RFC 6120 §4.9.2, §8.3.2).
    public func firstChild(inNamespace namespace: String) -> XMLElement? {
        for case .element(let child) in children where child.namespace == namespace {
            return child
        }
        return nil
    }

    /// The concatenated text children of this element (not of its descendants).
    public var text: String {
        var result = ""
        for case .text(let text) in children { result += text }
        return result
    }

    /// Whether this element has the given name and, if one is given, namespace.
    public func matches(name: String, namespace: String? = nil) -> Bool {
        self.name == name && (namespace == nil || self.namespace == namespace)
    }
}
