/// The source (RFC 1459 §2.3.1 "prefix") of a message: a server name or `nick[!user][@host]`.
///
/// The raw text is kept because it is what identifies the sender exactly; the parts are split the
/// way ircdocs' parser tests (`userhost-split.yaml`) expect, with empty parts reported as `nil`.
public struct IRCSource: Hashable, Sendable, CustomStringConvertible {
    /// The source exactly as received (without the leading `:`). The parts below are computed
    /// from it when read, so equality and hashing are those of `raw`.
    public let raw: String

    /// The nick, or the whole server name when the source is a server.
    public var nick: String {
        String(raw.unicodeScalars[..<parts.nickEnd])
    }

    /// The user (ident) part after `!`, if any.
    public var user: String? {
        parts.user.flatMap { $0.isEmpty ? nil : String(raw.unicodeScalars[$0]) }
    }

    /// The host part after `@`, if any.
    public var host: String? {
        parts.host.flatMap { $0.isEmpty ? nil : String(raw.unicodeScalars[$0]) }
    }

    public init(raw: String) {
        self.raw = raw
    }

    /// Where the parts lie: the host after the first `@`, the user after the first `!` before
    /// it. `!` and `@` are ASCII, so searching UTF-8 bytes finds the same characters as searching
    /// scalars, and the indices are scalar boundaries of `raw` (used on its scalar view: a
    /// character view would round an index after `!` down if a combining mark followed it).
    private var parts: (nickEnd: String.Index, user: Range<String.Index>?, host: Range<String.Index>?) {
        let utf8 = raw.utf8
        // Offsets of the first '@' and of the first '!' before it, found on contiguous bytes
        // (native strings) or through the view.
        let (bangOffset, atOffset) = utf8.withContiguousStorageIfAvailable { bytes -> (Int?, Int?) in
            var bang: Int?
            for offset in bytes.indices {
                switch bytes[offset] {
                case UInt8(ascii: "@"): return (bang, offset)
                case UInt8(ascii: "!") where bang == nil: bang = offset
                default: continue
                }
            }
            return (bang, nil)
        } ?? {
            let at = utf8.firstIndex(of: UInt8(ascii: "@")).map { utf8.distance(from: utf8.startIndex, to: $0) }
            let bang = utf8.prefix(at ?? utf8.count).firstIndex(of: UInt8(ascii: "!"))
            return (bang.map { utf8.distance(from: utf8.startIndex, to: $0) }, at)
        }()
        func index(_ offset: Int) -> String.Index { utf8.index(utf8.startIndex, offsetBy: offset) }
        var nickEnd = utf8.endIndex
        var user: Range<String.Index>?
        var host: Range<String.Index>?
        if let atOffset {
            nickEnd = index(atOffset)
            host = index(atOffset + 1)..<utf8.endIndex
        }
        if let bangOffset {
            user = index(bangOffset + 1)..<nickEnd
            nickEnd = index(bangOffset)
        }
        return (nickEnd, user, host)
    }

    /// Builds `nick!user@host` from its parts (e.g. for tests or echo handling).
    public init(nick: String, user: String? = nil, host: String? = nil) {
        var raw = nick
        if let user { raw += "!" + user }
        if let host { raw += "@" + host }
        self.init(raw: raw)
    }

    /// True when the source looks like a server: no `!`/`@` and a dot in the name. Nicks cannot
    /// contain dots (RFC 2812 §2.3.1), server names are host names.
    public var isServer: Bool {
        user == nil && host == nil && nick.contains(".")
    }

    public var description: String { raw }
}
