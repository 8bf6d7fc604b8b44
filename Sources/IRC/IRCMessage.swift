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
///
/// A parsed message keeps its line once and decodes a field only when it is read (see
/// ``IRCParsedLine``), so reading a field costs its decoding each time: read what you need
/// (``command``, ``parameterCount``, ``parameter(_:)``, ``tag(_:)``) rather than whole
/// ``parameters`` or ``tags`` arrays in a loop. Equality and hashing compare fields, never bytes:
/// a parsed message equals a built one with the same fields.
public struct IRCMessage: Sendable {
    enum Storage: Sendable {
        case parsed(IRCParsedLine)
        case built(tags: [IRCTag], source: IRCSource?, command: String, parameters: [String])
    }

    var storage: Storage

    /// Tags in the order they were received; a key appears at most once (the spec keeps the
    /// last occurrence of a duplicated key).
    public var tags: [IRCTag] {
        get {
            switch storage {
            case .parsed(let line): return line.tagValues
            case .built(let tags, _, _, _): return tags
            }
        }
        set {
            let fields = self.fields
            storage = .built(tags: newValue, source: fields.source, command: fields.command, parameters: fields.parameters)
        }
    }

    /// Who sent the message; `nil` for lines a client sends.
    public var source: IRCSource? {
        get {
            switch storage {
            case .parsed(let line): return line.sourceValue
            case .built(_, let source, _, _): return source
            }
        }
        set {
            let fields = self.fields
            storage = .built(tags: fields.tags, source: newValue, command: fields.command, parameters: fields.parameters)
        }
    }

    /// The command in upper case (`PRIVMSG`), or a numeric as three digits (`001`). Reading it
    /// does not decode anything: it is the one field made a `String` while parsing (commands are
    /// short ASCII words, which Swift stores inline without allocating).
    public var command: String {
        get {
            switch storage {
            case .parsed(let line): return line.command
            case .built(_, _, let command, _): return command
            }
        }
        set {
            let fields = self.fields
            storage = .built(tags: fields.tags, source: fields.source, command: newValue, parameters: fields.parameters)
        }
    }

    /// Middle parameters followed by the trailing one, without the `:` marker.
    public var parameters: [String] {
        get {
            switch storage {
            case .parsed(let line): return line.parameters
            case .built(_, _, _, let parameters): return parameters
            }
        }
        set {
            let fields = self.fields
            storage = .built(tags: fields.tags, source: fields.source, command: fields.command, parameters: newValue)
        }
    }

    /// `parameters.count` without decoding any parameter.
    public var parameterCount: Int {
        switch storage {
        case .parsed(let line): return line.parameterCount
        case .built(_, _, _, let parameters): return parameters.count
        }
    }

    /// `parameters[position]`, or `nil` when there is no such parameter; decodes that one only.
    public func parameter(_ position: Int) -> String? {
        switch storage {
        case .parsed(let line):
            return line.parameter(position)
        case .built(_, _, _, let parameters):
            return parameters.indices.contains(position) ? parameters[position] : nil
        }
    }

    /// Creates a message. The command is upper-cased (ASCII only) so it compares with parsed ones.
    public init(command: String, parameters: [String] = [], tags: [IRCTag] = [], source: IRCSource? = nil) {
        storage = .built(tags: tags, source: source, command: Self.uppercasedASCII(command), parameters: parameters)
    }

    init(parsed line: IRCParsedLine) {
        storage = .parsed(line)
    }

    /// Every field, decoded.
    private var fields: (tags: [IRCTag], source: IRCSource?, command: String, parameters: [String]) {
        switch storage {
        case .parsed(let line):
            return (line.tagValues, line.sourceValue, line.command, line.parameters)
        case .built(let tags, let source, let command, let parameters):
            return (tags, source, command, parameters)
        }
    }

    /// The value of the tag `key`: `nil` when absent, `""` when present without a value.
    /// Decodes that one tag only.
    public func tag(_ key: String) -> String? {
        switch storage {
        case .parsed(let line):
            return line.tag(key)
        case .built(let tags, _, _, _):
            guard let tag = tags.last(where: { $0.key == key }) else { return nil }
            return tag.value ?? ""
        }
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

/// Semantic: two messages are equal when their fields are, however they were made (a parsed
/// `@a= CMD  x` equals a built `CMD x` with tag `a`). Identical lines are equal without decoding.
extension IRCMessage: Hashable {
    public static func == (lhs: IRCMessage, rhs: IRCMessage) -> Bool {
        if case .parsed(let left) = lhs.storage, case .parsed(let right) = rhs.storage, left.bytes == right.bytes {
            return true
        }
        return lhs.command == rhs.command && lhs.parameterCount == rhs.parameterCount
            && lhs.parameters == rhs.parameters && lhs.source == rhs.source && lhs.tags == rhs.tags
    }

    public func hash(into hasher: inout Hasher) {
        let fields = self.fields
        hasher.combine(fields.tags)
        hasher.combine(fields.source)
        hasher.combine(fields.command)
        hasher.combine(fields.parameters)
    }
}

extension IRCMessage: CustomStringConvertible {
    public var description: String { wireLine }
}
