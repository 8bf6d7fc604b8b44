#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One IRC message: `['@' tags SPACE] [':' source SPACE] command params*`.
///
/// The grammar is RFC 1459 §2.3.1 (as clarified by RFC 2812 §2.3.1) extended by IRCv3
/// message-tags. The value is plain data: ``init(parsing:limits:)`` reads one line (without its
/// CR/LF, see ``IRCLineFramer``) and ``serialized()`` writes one; the two round-trip, which the
/// fuzzer in `Tests/Fuzz/IRCParserFuzz` checks.
public struct IRCMessage: Hashable, Sendable {
    /// Tags in the order they were received; a key appears at most once (the spec keeps the
    /// last occurrence of a duplicated key).
    public var tags: [IRCTag]
    /// Who sent the message; `nil` for lines a client sends.
    public var source: IRCSource?
    /// The command in upper case (`PRIVMSG`), or a numeric as three digits (`001`).
    public var command: String
    /// Middle parameters followed by the trailing one, without the `:` marker.
    public var parameters: [String]

    /// Creates a message. The command is upper-cased (ASCII only) so it compares with parsed ones.
    public init(command: String, parameters: [String] = [], tags: [IRCTag] = [], source: IRCSource? = nil) {
        self.command = Self.uppercasedASCII(command)
        self.parameters = parameters
        self.tags = tags
        self.source = source
    }

    /// The value of the tag `key`: `nil` when absent, `""` when present without a value.
    public func tag(_ key: String) -> String? {
        guard let tag = tags.last(where: { $0.key == key }) else { return nil }
        return tag.value ?? ""
    }

    /// The IRCv3 `server-time` tag (`time=2011-10-19T16:40:51.620Z`) as a date, if present and
    /// well formed. Prefer it over the arrival time: replayed history and batches carry it.
    public var serverTime: Date? {
        tag("time").flatMap(ServerTime.parse)
    }

    /// The services account from the IRCv3 `account-tag` capability. This — not the nick — is
    /// what authorization should use: nicks can be taken by anyone, accounts need a password.
    /// `nil` when absent, empty or `*` (the "not logged in" marker used by extended-join).
    public var account: String? {
        guard let value = tag("account"), !value.isEmpty, value != "*" else { return nil }
        return value
    }

    /// The IRCv3 `msgid` tag, used by `+draft/reply` to thread an answer to this message.
    public var msgid: String? {
        guard let value = tag("msgid"), !value.isEmpty else { return nil }
        return value
    }

    /// The serialized line as text, without CRLF (for logs and tests).
    public var wireLine: String {
        String(decoding: serialized(), as: UTF8.self)
    }

    static func uppercasedASCII(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) else {
            return text
        }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar >= "a" && scalar <= "z" {
                scalars.append(Unicode.Scalar(UInt8(scalar.value) - 0x20))
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}

extension IRCMessage: CustomStringConvertible {
    public var description: String { wireLine }
}
