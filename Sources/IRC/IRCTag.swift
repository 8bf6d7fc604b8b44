/// One IRCv3 message tag (`key` or `key=value`), as defined by the message-tags specification.
///
/// The spec says a tag without a value and a tag with an empty value mean the same thing, so an
/// empty value is stored as `nil`: `@a` and `@a=` parse to equal messages and `a` is what we send.
public struct IRCTag: Hashable, Sendable {
    /// The tag name, e.g. `time`, `account`, `+draft/reply`, `example.com/foo`.
    public let key: String
    /// The unescaped value, or `nil` for a tag without one.
    public let value: String?

    public init(key: String, value: String? = nil) {
        self.key = key
        self.value = (value?.isEmpty ?? true) ? nil : value
    }
}

extension IRCTag {
    /// Undoes the escaping of message-tags §"Escaping values": `\:` `;`, `\s` space, `\\` `\`,
    /// `\r` CR, `\n` LF. An unknown escape `\x` becomes `x` and a lone trailing `\` is dropped,
    /// as the spec requires. Works on bytes: the escapes are ASCII and cannot occur inside a
    /// UTF-8 sequence, so decoding afterwards is safe.
    static func unescape(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var escaping = false
        for byte in bytes {
            if escaping {
                escaping = false
                switch byte {
                case UInt8(ascii: ":"): out.append(WireText.semicolon)
                case UInt8(ascii: "s"): out.append(WireText.space)
                case UInt8(ascii: "r"): out.append(WireText.cr)
                case UInt8(ascii: "n"): out.append(WireText.lf)
                default: out.append(byte)  // covers `\\` and unknown escapes
                }
            } else if byte == WireText.backslash {
                escaping = true
            } else {
                out.append(byte)
            }
        }
        return out
    }

    /// Keeps the last occurrence of each key, in its position, as message-tags §"Rules for naming
    /// message tags" asks of parsers for a duplicated key.
    static func keepingLastOfEachKey(_ tags: [IRCTag]) -> [IRCTag] {
        // Real lines carry a handful of tags: comparing keys pairwise is cheaper there than
        // hashing every key into a Set.
        if tags.count <= 16 {
            var hasDuplicate = false
            for i in tags.indices where !hasDuplicate {
                hasDuplicate = tags[(i + 1)...].contains { $0.key == tags[i].key }
            }
            guard hasDuplicate else { return tags }
            return tags.indices.filter { i in !tags[(i + 1)...].contains { $0.key == tags[i].key } }.map { tags[$0] }
        }
        var seen = Set<String>()
        var unique: [IRCTag] = []
        for tag in tags.reversed() where seen.insert(tag.key).inserted {
            unique.append(tag)
        }
        return unique.reversed()
    }

    /// The inverse of ``unescape(_:)``. NUL has no escape and is dropped so it can never reach
    /// the wire.
    static func escape(_ value: String, into out: inout [UInt8]) {
        for byte in value.utf8 {
            switch byte {
            case WireText.semicolon: out.append(contentsOf: [WireText.backslash, UInt8(ascii: ":")])
            case WireText.space: out.append(contentsOf: [WireText.backslash, UInt8(ascii: "s")])
            case WireText.backslash: out.append(contentsOf: [WireText.backslash, WireText.backslash])
            case WireText.cr: out.append(contentsOf: [WireText.backslash, UInt8(ascii: "r")])
            case WireText.lf: out.append(contentsOf: [WireText.backslash, UInt8(ascii: "n")])
            case WireText.nul: break
            default: out.append(byte)
            }
        }
    }

    /// A key as it may be sent: the bytes that delimit tags (`=`, `;`, space) and those that
    /// end lines (NUL, CR, LF) are removed. Keys have no escaping in the spec.
    static func sanitizedKey(_ key: String) -> [UInt8] {
        key.utf8.filter { byte in
            byte != WireText.equals && byte != WireText.semicolon && byte != WireText.space
                && byte != WireText.nul && byte != WireText.cr && byte != WireText.lf
        }
    }
}
