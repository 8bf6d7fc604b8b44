/// What the stream parser reports as bytes arrive.
///
/// An XMPP session is one XML document that stays open for the whole connection (RFC 6120
/// §4.1): the `<stream:stream>` start tag opens it, every child of that root is a stanza or
/// stream-level element processed on its own (§4.2, "top-level element"), and the end tag
/// closes the stream.
public enum XMPPStreamEvent: Sendable, Equatable {
    /// The peer's stream header: `<stream:stream>` with its attributes (`id`, `from`, `to`,
    /// `version`, `xml:lang`) and no children.
    case streamOpened(XMLElement)
    /// A complete top-level element: a stanza (`message`, `presence`, `iq`) or a stream-level
    /// element such as `<stream:features>`, `<proceed/>`, `<success/>` or `<stream:error>`.
    case stanza(XMLElement)
    /// The peer sent `</stream:stream>`; it will send nothing more (RFC 6120 §4.4).
    case streamClosed
}
