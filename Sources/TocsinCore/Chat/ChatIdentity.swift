/// A chat identity the *server* vouches for: an IRC services account (from SASL, `account-tag`,
/// `extended-join` or WHOX) or an XMPP bare JID (from a non-anonymous room or a direct message).
///
/// Nicknames are deliberately not representable here: anyone can take a nick, so a nick must never
/// authorize a write command.
public enum ChatIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    case ircAccount(network: String, account: String)
    case xmpp(bareJID: String)

    /// Canonical text form used in configuration: `irc:NETWORK/ACCOUNT` or `xmpp:user@domain`.
    public var description: String {
        switch self {
        case .ircAccount(let network, let account): "irc:\(network)/\(account)"
        case .xmpp(let jid): "xmpp:\(jid)"
        }
    }

    /// Accounts and JIDs compare case-insensitively (services accounts are case-insensitive;
    /// JID localpart and domain are case-folded), so values are normalised on construction.
    public static func irc(network: String, account: String) -> ChatIdentity {
        .ircAccount(network: network, account: account.lowercased())
    }

    public static func xmpp(_ bareJID: String) -> ChatIdentity {
        .xmpp(bareJID: bareJID.lowercased())
    }

    /// Parses the configuration form; nil with a reason-free failure is turned into a key-path
    /// error by the config layer.
    public init?(configString text: String) {
        if text.hasPrefix("irc:") {
            let rest = text.dropFirst(4)
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            let network = String(rest[..<slash])
            let account = String(rest[rest.index(after: slash)...])
            guard !network.isEmpty, !account.isEmpty, !account.contains(where: \.isWhitespace) else { return nil }
            self = .irc(network: network, account: account)
        } else if text.hasPrefix("xmpp:") {
            let jid = String(text.dropFirst(5))
            let parts = jid.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !jid.contains("/"),
                  !jid.contains(where: \.isWhitespace) else { return nil }
            self = .xmpp(jid)
        } else {
            return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let identity = ChatIdentity(configString: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected irc:NETWORK/ACCOUNT or xmpp:user@domain, got \"\(text)\"")
        }
        self = identity
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
