/// A stream-level error, `<stream:error>` (RFC 6120 §4.9).
///
/// Receiving one means the server is about to close the stream; the defined condition says
/// whether reconnecting makes sense: `conflict` (another session took this resource — reconnecting
/// immediately would fight over it), `system-shutdown`, `see-other-host` (reconnect elsewhere),
/// `policy-violation` and so on.
public struct StreamError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The defined condition's element name, such as `conflict` or `see-other-host`
    /// (RFC 6120 §4.9.3), or `undefined-condition` if the peer sent none.
    public var condition: String
    /// The optional human-readable `<text>` (RFC 6120 §4.9.2).
    public var text: String?
    /// For `see-other-host`, the alternate host (and optional port) to reconnect to (RFC 6120 §4.9.3.19).
    public var seeOtherHost: String?

    public init(condition: String, text: String? = nil, seeOtherHost: String? = nil) {
        self.condition = condition
        self.text = text
        self.seeOtherHost = seeOtherHost
    }

    /// Parses `<stream:error>`; returns `nil` for any other element.
    public init?(element: XMLElement) {
        guard element.matches(name: "error", namespace: XMPPNamespace.streams) else { return nil }
        var condition: XMLElement?
        var text: String?
        for child in element.elementChildren where child.namespace == XMPPNamespace.streamErrors {
            if child.name == "text" {
                text = child.text
            } else if condition == nil {
                condition = child
            }
        }
        self.condition = condition?.name ?? "undefined-condition"
        self.text = text
        let host = condition?.text ?? ""
        seeOtherHost = self.condition == "see-other-host" && !host.isEmpty ? host : nil
    }

    /// The `<stream:error>` element to send before closing our side of the stream.
    public var element: XMLElement {
        var error = XMLElement("error", namespace: XMPPNamespace.streams)
        error.append(XMLElement(condition, namespace: XMPPNamespace.streamErrors))
        if let text {
            error.append(XMLElement("text", namespace: XMPPNamespace.streamErrors, attributes: ["xml:lang": "en"], text: text))
        }
        return error
    }

    public var description: String {
        var result = "XMPP stream error '\(condition)'"
        if let text, !text.isEmpty { result += ": \(text)" }
        if let seeOtherHost { result += " (reconnect to \(seeOtherHost))" }
        return result
    }
}
