/// Why the inbound stream cannot be parsed any further.
///
/// Every case is fatal for the stream: RFC 6120 §4.9 says a stream error closes the stream, so
/// the caller sends ``streamError`` (via its element), closes and reconnects. The parser stays
/// failed and rethrows the same error until ``XMPPStreamParser/reset()``.
public enum XMPPStreamError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not well-formed XML (RFC 6120 §4.9.3.13); carries expat's message and the
    /// 1-based line and 0-based column where it noticed.
    case notWellFormed(message: String, line: Int, column: Int)
    /// The peer used XML that XMPP forbids: a DTD, comment, processing instruction, entity
    /// declaration or non-predefined entity reference (RFC 6120 §11.1, §4.9.3.18).
    case restrictedXML(String)
    /// A local limit was exceeded: stanza size or nesting depth (RFC 6120 §4.9.3.14,
    /// §13.12 on resource exhaustion).
    case policyViolation(String)
    /// The root element is not `<stream>` in `http://etherx.jabber.org/streams` (RFC 6120 §4.9.3.10).
    case invalidNamespace(String)
    /// XML that is well-formed but cannot be an XMPP stream, such as text between stanzas
    /// (RFC 6120 §4.9.3.1).
    case badFormat(String)
    /// The bytes are not UTF-8 — typically a UTF-16 stream — which RFC 6120 §11.6 forbids
    /// (§4.9.3.22).
    case unsupportedEncoding(String)

    /// The RFC 6120 §4.9.3 defined condition to report to the peer before closing.
    public var streamErrorCondition: String {
        switch self {
        case .notWellFormed: "not-well-formed"
        case .restrictedXML: "restricted-xml"
        case .policyViolation: "policy-violation"
        case .invalidNamespace: "invalid-namespace"
        case .badFormat: "bad-format"
        case .unsupportedEncoding: "unsupported-encoding"
        }
    }

    /// The stream error to send to the peer (condition plus a short explanation).
    public var streamError: StreamError {
        StreamError(condition: streamErrorCondition, text: detail)
    }

    private var detail: String {
        switch self {
        case .notWellFormed(let message, let line, let column):
            "XML syntax error at line \(line), column \(column): \(message)"
        case .restrictedXML(let detail), .policyViolation(let detail),
             .invalidNamespace(let detail), .badFormat(let detail), .unsupportedEncoding(let detail):
            detail
        }
    }

    public var description: String {
        switch self {
        case .notWellFormed:
            "XMPP stream is not well-formed XML (\(detail)); the peer or a middlebox corrupted the stream"
        case .restrictedXML:
            "XMPP stream used restricted XML (\(detail)); RFC 6120 §11.1 forbids it, the peer is not a conforming XMPP server"
        case .policyViolation:
            "XMPP stream exceeded a parser limit (\(detail)); raise the limit in the parser configuration if the server legitimately sends this"
        case .invalidNamespace:
            "XMPP stream has the wrong root element or namespace (\(detail)); check that the host and port belong to an XMPP client service"
        case .badFormat:
            "XMPP stream is malformed (\(detail))"
        case .unsupportedEncoding:
            "XMPP stream is not UTF-8 (\(detail)); RFC 6120 §11.6 requires UTF-8, check that the port speaks XMPP"
        }
    }
}
