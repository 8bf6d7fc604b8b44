/// A stanza-level error, the `<error>` child of a `type='error'` stanza (RFC 6120 §8.3).
///
/// MUC reports join failures this way (XEP-0045 §7.2.6–§7.2.10, e.g. `conflict` when the nickname
/// is taken), and pings answered with `service-unavailable` tell the client the peer exists but
/// does not implement pings.
public struct StanzaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The error type, if the peer sent a known one.
    public var type: StanzaErrorType?
    /// The defined condition (RFC 6120 §8.3.3), such as `item-not-found`; `undefined-condition`
    /// when the peer sent none.
    public var condition: String
    /// The optional human-readable explanation.
    public var text: String?

    public init(type: StanzaErrorType?, condition: String, text: String? = nil) {
        self.type = type
        self.condition = condition
        self.text = text
    }

    /// Reads the `<error>` child of `stanza`; `nil` when there is none.
    public init?(stanza: XMLElement) {
        guard let error = stanza.firstChild(named: "error", namespace: stanza.namespace) else { return nil }
        type = error[attribute: "type"].flatMap(StanzaErrorType.init(rawValue:))
        var condition: String?
        for child in error.elementChildren where child.namespace == XMPPNamespace.stanzaErrors {
            if child.name == "text" {
                text = child.text
            } else if condition == nil {
                condition = child.name
            }
        }
        self.condition = condition ?? "undefined-condition"
    }

    /// The `<error>` element to put in a reply (RFC 6120 §8.3.2).
    public var element: XMLElement {
        var error = XMLElement("error", namespace: XMPPNamespace.client, attributes: ["type": (type ?? .cancel).rawValue])
        error.append(XMLElement(condition, namespace: XMPPNamespace.stanzaErrors))
        if let text {
            error.append(XMLElement("text", namespace: XMPPNamespace.stanzaErrors, attributes: ["xml:lang": "en"], text: text))
        }
        return error
    }

    public var description: String {
        var result = "stanza error '\(condition)'"
        if let type { result += " (type \(type.rawValue))" }
        if let text, !text.isEmpty { result += ": \(text)" }
        return result
    }
}
