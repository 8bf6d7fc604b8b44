/// The client's stream header and footer (RFC 6120 §4.2, §4.4, §4.7).
///
/// The header is the one piece of XMPP that cannot be an ``XMLElement``: it is a start tag whose
/// end tag is only sent when the session ends. It declares `jabber:client` as the default
/// namespace, so stanzas serialized with `parentNamespace: XMPPNamespace.client` need no `xmlns`.
public enum StreamHeader {
    /// Opens a client-to-server stream to `domain`.
    ///
    /// - Parameters:
    ///   - domain: the service domain (`to`, RFC 6120 §4.7.2).
    ///   - from: the account's bare JID; RFC 6120 §4.7.1 recommends sending it once the stream
    ///     is encrypted (after STARTTLS or on direct TLS), and never before, to avoid leaking it.
    public static func open(to domain: String, from: String? = nil) -> String {
        var header = "<?xml version='1.0'?><stream:stream to='"
        XMLEscaping.appendAttributeValue(domain, to: &header)
        header += "'"
        if let from {
            header += " from='"
            XMLEscaping.appendAttributeValue(from, to: &header)
            header += "'"
        }
        header += " version='1.0' xml:lang='en' xmlns='\(XMPPNamespace.client)' xmlns:stream='\(XMPPNamespace.streams)'>"
        return header
    }

    /// Closes the stream; after sending it the client waits for the server's own close (RFC 6120 §4.4).
    public static let close = "</stream:stream>"
}
