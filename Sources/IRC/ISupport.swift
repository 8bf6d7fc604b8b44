/// What the server told us about itself in RPL_ISUPPORT (005).
///
/// Servers send several 005 lines during registration and may send more later, including
/// `-TOKEN` to withdraw one, so the value is built up with ``apply(_:)``. Values are unescaped
/// (`\x20` → space, `\x5C` → `\`, any `\xHH`) as modern.ircdocs.horse "RPL_ISUPPORT" specifies.
/// Typed accessors fall back to the documented defaults when a token is absent or malformed.
public struct ISupport: Hashable, Sendable {
    /// Every token currently advertised, by name: a token without a value maps to `""`.
    public private(set) var raw: [String: String] = [:]

    /// A mode prefix from `PREFIX`, e.g. mode `o` shown as `@`.
    public struct Prefix: Hashable, Sendable {
        public let mode: Character
        public let symbol: Character

        public init(mode: Character, symbol: Character) {
            self.mode = mode
            self.symbol = symbol
        }
    }

    public init() {}

    /// Builds the state from tokens as they appear in 005 (`NETWORK=Libera.Chat`, `-WHOX`).
    public init(tokens: [String]) {
        for token in tokens { apply(token: token) }
    }

    /// Takes the tokens of an `005` message; other messages are ignored. The first parameter
    /// is our nick and the last the human-readable "are supported by this server".
    public mutating func apply(_ message: IRCMessage) {
        guard message.command == IRCNumeric.isupport, message.parameters.count >= 3 else { return }
        for token in message.parameters.dropFirst().dropLast() {
            apply(token: token)
        }
    }

    /// Applies one token: `NAME`, `NAME=`, `NAME=value` or `-NAME`.
    public mutating func apply(token: String) {
        if token.hasPrefix("-") {
            let name = String(token.dropFirst().prefix { $0 != "=" })
            if !name.isEmpty { raw[name] = nil }
            return
        }
        guard let equals = token.firstIndex(of: "=") else {
            if !token.isEmpty { raw[token] = "" }
            return
        }
        let name = String(token[..<equals])
        guard !name.isEmpty else { return }
        raw[name] = Self.unescape(String(token[token.index(after: equals)...]))
    }

    // MARK: Typed accessors

    /// `CASEMAPPING`, by default ``IRCCaseMapping/rfc1459``.
    public var caseMapping: IRCCaseMapping {
        raw["CASEMAPPING"].map(IRCCaseMapping.init(isupportValue:)) ?? .rfc1459
    }

    /// `CHANTYPES`: the characters that start a channel name, by default `#&` (RFC 1459 §1.3).
    /// An empty value means the server has no channels.
    public var chanTypes: String {
        raw["CHANTYPES"] ?? "#&"
    }

    /// True when `name` starts with one of ``chanTypes``.
    public func isChannel(_ name: String) -> Bool {
        guard let first = name.first else { return false }
        return chanTypes.contains(first)
    }

    /// `PREFIX`: channel membership modes from highest to lowest, by default `(ov)@+`.
    /// `PREFIX=` (empty) means none.
    public var prefix: [Prefix] {
        guard let value = raw["PREFIX"] else { return Self.defaultPrefix }
        if value.isEmpty { return [] }
        guard value.first == "(", let close = value.firstIndex(of: ")") else { return Self.defaultPrefix }
        let modes = Array(value[value.index(after: value.startIndex)..<close])
        let symbols = Array(value[value.index(after: close)...])
        guard modes.count == symbols.count else { return Self.defaultPrefix }
        return zip(modes, symbols).map { Prefix(mode: $0, symbol: $1) }
    }

    /// `NICKLEN`, or `nil` when the server did not say (RFC 1459 implies 9; most allow more).
    public var nickLength: Int? { positiveInt("NICKLEN") }

    /// `CHANNELLEN`, or `nil` when the server did not say.
    public var channelLength: Int? { positiveInt("CHANNELLEN") }

    /// `LINELEN`: bytes per line including CRLF, excluding tags; 512 unless advertised.
    public var lineLength: Int { positiveInt("LINELEN") ?? 512 }

    /// Limits for parsing lines from this server (never below the RFC's 512 bytes).
    public var lineLimits: IRCLineLimits {
        IRCLineLimits(bodyBytes: max(512, lineLength), tagBytes: IRCLineLimits.standard.tagBytes)
    }

    /// `TARGMAX`, command (upper-case) → maximum targets, `nil` meaning no limit. Empty when
    /// the token is absent; use ``maxTargets(for:)`` for the effective value.
    public var targMax: [String: Int?] {
        guard let value = raw["TARGMAX"] else { return [:] }
        return Self.limitList(value, uppercaseKeys: true)
    }

    /// How many comma-separated targets `command` accepts, `nil` meaning no limit.
    ///
    /// modern.ircdocs.horse "TARGMAX": a command not listed (or no TARGMAX at all) accepts a
    /// single target, except JOIN and PART which traditionally take lists. The older `MAXTARGETS`
    /// applies to PRIVMSG and NOTICE when TARGMAX does not list them.
    public func maxTargets(for command: String) -> Int? {
        let command = IRCMessage.uppercasedASCII(command)
        let table = targMax
        if let entry = table[command] { return entry }
        if command == "PRIVMSG" || command == "NOTICE", let legacy = positiveInt("MAXTARGETS") {
            return legacy
        }
        if command == "JOIN" || command == "PART" { return nil }
        return 1
    }

    /// `CHANLIMIT`: channel-type group (e.g. `#&`) → how many such channels we may join,
    /// `nil` meaning no limit.
    public var chanLimit: [String: Int?] {
        guard let value = raw["CHANLIMIT"] else { return [:] }
        return Self.limitList(value, uppercaseKeys: false)
    }

    /// `NETWORK`: the network's name, e.g. `Libera.Chat`.
    public var network: String? {
        guard let value = raw["NETWORK"], !value.isEmpty else { return nil }
        return value
    }

    /// `WHOX`: the server supports `WHO <mask> %fields` (reply 354).
    public var whox: Bool { raw["WHOX"] != nil }

    // MARK: Helpers

    private static let defaultPrefix = [Prefix(mode: "o", symbol: "@"), Prefix(mode: "v", symbol: "+")]

    private func positiveInt(_ token: String) -> Int? {
        guard let value = raw[token], let number = Int(value), number > 0 else { return nil }
        return number
    }

    /// Parses `key:limit,key:,...` (TARGMAX, CHANLIMIT). Entries without `:` or with a
    /// malformed limit are skipped.
    private static func limitList(_ value: String, uppercaseKeys: Bool) -> [String: Int?] {
        var result: [String: Int?] = [:]
        for entry in value.split(separator: ",") {
            guard let colon = entry.firstIndex(of: ":") else { continue }
            let key = String(entry[..<colon])
            guard !key.isEmpty else { continue }
            let limitText = entry[entry.index(after: colon)...]
            let limit: Int?
            if limitText.isEmpty {
                limit = nil
            } else if let number = Int(limitText), number >= 0 {
                limit = number
            } else {
                continue
            }
            result[uppercaseKeys ? IRCMessage.uppercasedASCII(key) : key] = .some(limit)
        }
        return result
    }

    /// Decodes `\xHH` escapes; a backslash not followed by `x` and two hex digits stays as is.
    static func unescape(_ value: String) -> String {
        guard value.utf8.contains(WireText.backslash) else { return value }
        let bytes = Array(value.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == WireText.backslash, index + 3 < bytes.count,
               bytes[index + 1] == UInt8(ascii: "x"),
               let high = hexValue(bytes[index + 2]), let low = hexValue(bytes[index + 3]) {
                out.append(high << 4 | low)
                index += 4
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return WireText.decode(out)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
