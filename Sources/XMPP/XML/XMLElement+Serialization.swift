/// Writing an element as XML text for the wire.
///
/// XMPP sends each stanza as a fragment inside the long-lived `<stream:stream>` document
/// (RFC 6120 §4.1), whose default namespace is `jabber:client`. So a stanza is serialized with
/// `parentNamespace: "jabber:client"` and `xmlns` appears only where the namespace changes —
/// what servers and other clients send too. Prefixes are never reused from input: every
/// namespace is declared as a default namespace (`xmlns='…'`), and qualified attributes other
/// than `xml:*` get generated `ns1`, `ns2` … prefixes declared on the same element.
extension XMLElement {
    /// Serializes the element and its subtree.
    ///
    /// - Parameter parentNamespace: the default namespace in scope where this element will be
    ///   written; `xmlns` is emitted only when the element's namespace differs (an element in no
    ///   namespace under a namespaced parent gets `xmlns=''`).
    /// - Returns: well-formed XML in which all text and attribute values are escaped and
    ///   characters XML 1.0 forbids are replaced, so untrusted content cannot break the stream.
    public func serialized(parentNamespace: String? = nil) -> String {
        var output = ""
        write(to: &output, parentNamespace: parentNamespace)
        return output
    }

    /// Appends the serialized element to `output` (see ``serialized(parentNamespace:)``).
    public func write(to output: inout String, parentNamespace: String? = nil) {
        write(to: &output, defaultNamespace: parentNamespace)
    }

    /// - Parameter defaultNamespace: the default namespace in scope at this point of the output.
    private func write(to output: inout String, defaultNamespace: String?) {
        let tag: String
        let childDefaultNamespace: String?
        if namespace == XMLNamespaceURI.xml {
            // The XML namespace may only be used through its predeclared `xml` prefix, never
            // as a default namespace (Namespaces in XML 1.0 §3), so the default stays as it was.
            tag = "xml:" + XMLNameSanitizer.ncName(name)
            childDefaultNamespace = defaultNamespace
        } else {
            tag = XMLNameSanitizer.ncName(name)
            childDefaultNamespace = namespace
        }
        output += "<"
        output += tag
        if namespace != XMLNamespaceURI.xml, namespace != defaultNamespace {
            output += " xmlns='"
            XMLEscaping.appendAttributeValue(namespace ?? "", to: &output)
            output += "'"
        }
        writeAttributes(to: &output)
        if children.isEmpty {
            output += "/>"
            return
        }
        output += ">"
        for child in children {
            switch child {
            case .text(let text):
                XMLEscaping.appendText(text, to: &output)
            case .element(let element):
                element.write(to: &output, defaultNamespace: childDefaultNamespace)
            }
        }
        output += "</"
        output += tag
        output += ">"
    }

    private func writeAttributes(to output: inout String) {
        var prefixes: [String: String] = [:]
        var written: Set<String> = []
        for attribute in attributes {
            let qualifiedName: String
            if let attributeNamespace = attribute.namespace {
                // The xmlns namespace can never be bound to a prefix; such an attribute
                // can only come from a programming error and is dropped.
                guard attributeNamespace != XMLNamespaceURI.xmlns else { continue }
                let prefix: String
                if let known = prefixes[attributeNamespace] {
                    prefix = known
                } else {
                    prefix = "ns\(prefixes.count + 1)"
                    prefixes[attributeNamespace] = prefix
                    output += " xmlns:\(prefix)='"
                    XMLEscaping.appendAttributeValue(attributeNamespace, to: &output)
                    output += "'"
                }
                qualifiedName = prefix + ":" + XMLNameSanitizer.ncName(attribute.name)
            } else if attribute.name.hasPrefix("xml:") {
                qualifiedName = "xml:" + XMLNameSanitizer.ncName(String(attribute.name.dropFirst(4)))
            } else {
                // Namespace declarations are derived from `namespace`; a literal one would
                // duplicate or contradict it.
                guard attribute.name != "xmlns", !attribute.name.hasPrefix("xmlns:") else { continue }
                qualifiedName = XMLNameSanitizer.ncName(attribute.name)
            }
            // A duplicate attribute makes the element ill-formed (XML 1.0 §3.1); keep the first.
            guard written.insert((attribute.namespace ?? "") + " " + qualifiedName).inserted else { continue }
            output += " "
            output += qualifiedName
            output += "='"
            XMLEscaping.appendAttributeValue(attribute.value, to: &output)
            output += "'"
        }
    }
}
