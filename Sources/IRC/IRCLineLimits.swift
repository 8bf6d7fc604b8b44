/// Byte limits for one IRC line.
///
/// RFC 1459 §2.3 caps source, command and parameters at 512 bytes including CRLF; IRCv3
/// message-tags adds up to 8191 bytes for the tag section (`@`, tags and the space after them).
/// Servers that advertise `LINELEN` in RPL_ISUPPORT raise the first limit, which is why the
/// limits are a value instead of constants (see ``ISupport/lineLimits``).
public struct IRCLineLimits: Hashable, Sendable {
    /// Maximum bytes of `[':' source SPACE] command params` plus CRLF.
    public var bodyBytes: Int
    /// Maximum bytes of `'@' tags SPACE`.
    public var tagBytes: Int

    public init(bodyBytes: Int = 512, tagBytes: Int = 8191) {
        self.bodyBytes = bodyBytes
        self.tagBytes = tagBytes
    }

    /// RFC 1459 plus IRCv3 message-tags: 512 and 8191 bytes.
    public static let standard = IRCLineLimits()

    /// No limits. Used where lines come from ourselves (re-parsing our own output) or a test.
    public static let unlimited = IRCLineLimits(bodyBytes: .max, tagBytes: .max)

    /// The longest line a framer should buffer: both sections together (saturating).
    public var framedLineBytes: Int {
        let (sum, overflow) = bodyBytes.addingReportingOverflow(tagBytes)
        return overflow ? .max : sum
    }
}
