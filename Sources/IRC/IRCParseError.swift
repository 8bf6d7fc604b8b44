/// Which part of a line broke a length limit.
///
/// IRCv3 message-tags gives the tag section its own allowance on top of RFC 1459's 512 bytes,
/// so the two are checked (and reported) separately; the framer only sees whole lines.
public enum IRCLineSection: String, Sendable, Hashable {
    /// `'@' tags SPACE` — at most 8191 bytes (IRCv3 message-tags, "Size limit").
    case tags
    /// `[':' source SPACE] command params CRLF` — at most 512 bytes (RFC 1459 §2.3).
    case body
    /// A whole framed line, tags and body together, as seen before parsing.
    case line
}

/// Why a line could not be turned into an ``IRCMessage``.
///
/// Every case carries enough to tell the operator what happened; the text of
/// ``description`` is meant for logs that a human reads.
public enum IRCParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The line had no bytes (or only spaces). The framer never produces these.
    case emptyLine
    /// Tags and/or a source were present but no command followed them.
    case missingCommand
    /// The command was not a word of ASCII letters/digits (RFC 1459 §2.3.1 `<command>`).
    case invalidCommand(String)
    /// The `@...` tag section could not be read; the associated text says why.
    case badTagSection(String)
    /// A section exceeded its byte limit. `bytes` is what was seen, `limit` what is allowed.
    case lineTooLong(IRCLineSection, bytes: Int, limit: Int)
    /// NUL, CR or LF inside a line. RFC 1459 §2.3.1 forbids them in every field; accepting
    /// them would let a value differ between what we parsed and what we would send back.
    case forbiddenCharacter(UInt8)

    public var description: String {
        switch self {
        case .emptyLine:
            return "empty line: an IRC message needs at least a command"
        case .missingCommand:
            return "missing command: the line ends after its tags or source"
        case .invalidCommand(let command):
            return "invalid command \"\(command)\": expected letters or a 3-digit numeric"
        case .badTagSection(let reason):
            return "bad tag section: \(reason)"
        case .lineTooLong(.tags, let bytes, let limit):
            return "line too long: the tag section has \(bytes) bytes, the limit is \(limit) (IRCv3 message-tags)"
        case .lineTooLong(.body, let bytes, let limit):
            return "line too long: source, command and parameters take \(bytes) bytes including CRLF, the limit is \(limit) (RFC 1459 §2.3)"
        case .lineTooLong(.line, let bytes, let limit):
            return "line too long: \(bytes) bytes without a complete message, the limit is \(limit); the rest of the line is discarded"
        case .forbiddenCharacter(let byte):
            let hex = String(byte, radix: 16, uppercase: true)
            return "forbidden byte 0x\(hex.count < 2 ? "0" + hex : hex) inside a line: NUL, CR and LF may not appear in a message"
        }
    }
}
