/// A child of an ``XMLElement``: either a nested element or character data.
///
/// XMPP payloads are element trees with text leaves (RFC 6120 §8); comments and processing
/// instructions are forbidden in a stream (RFC 6120 §11.1), so these two cases are all a
/// stanza can contain. CDATA sections arrive as plain ``text(_:)``.
public enum XMLNode: Hashable, Sendable {
    case element(XMLElement)
    case text(String)

    /// The element, if this node is one.
    public var element: XMLElement? {
        if case .element(let element) = self { return element }
        return nil
    }

    /// The character data, if this node is text.
    public var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }
}
