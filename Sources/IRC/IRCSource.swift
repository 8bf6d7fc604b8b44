/// The source (RFC 1459 §2.3.1 "prefix") of a message: a server name or `nick[!user][@host]`.
///
/// The raw text is kept because it is what identifies the sender exactly; the parts are split the
/// way ircdocs' parser tests (`userhost-split.yaml`) expect, with empty parts reported as `nil`.
public struct IRCSource: Hashable, Sendable, CustomStringConvertible {
    /// The source exactly as received (without the leading `:`).
    public let raw: String
    /// The nick, or the whole server name when the source is a server.
    public let nick: String
    /// The user (ident) part after `!`, if any.
    public let user: String?
    /// The host part after `@`, if any.
    public let host: String?

    public init(raw: String) {
        self.raw = raw
        let scalars = raw.unicodeScalars
        var nickEnd = scalars.endIndex
        var user: String?
        var host: String?
        if let at = scalars.firstIndex(of: "@") {
            nickEnd = at
            let value = String(scalars[scalars.index(after: at)...])
            host = value.isEmpty ? nil : value
        }
        if let bang = scalars[..<nickEnd].firstIndex(of: "!") {
            let value = String(scalars[scalars.index(after: bang)..<nickEnd])
            user = value.isEmpty ? nil : value
            nickEnd = bang
        }
        self.nick = String(scalars[..<nickEnd])
        self.user = user
        self.host = host
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
