import IRC

/// How protocol lines appear in logs: secrets never do.
///
/// `AUTHENTICATE` payloads (SASL credentials, base64 is not encryption), `PASS`, `OPER` and
/// channel keys in our own `JOIN`, and anything said to a services nick (`IDENTIFY`, `REGISTER`, `GHOST` carry passwords) are
/// replaced by `<redacted>`.
public enum IRCLogRedaction {
    /// Nicks of services that take passwords, compared case-insensitively.
    static let servicesNicks: Set<String> = ["nickserv", "ns", "authserv", "q", "x", "userserv"]

    public static func describe(_ message: IRCMessage) -> String {
        switch message.command {
        case "AUTHENTICATE":
            return "AUTHENTICATE <redacted>"
        case "PASS", "OPER":
            return "\(message.command) <redacted>"
        case "JOIN" where message.parameters.count >= 2 && message.source == nil:
            // JOIN #a,#b key1,key2 (RFC 2812 §3.2.1): channel keys are passwords. A JOIN from the
            // server (with a source) carries the account and real name instead, which are not.
            return "JOIN \(message.parameters[0]) <redacted>"
        case "PRIVMSG", "NOTICE", "SQUERY":
            guard let target = message.parameters.first else { break }
            let nick = target.split(separator: "@").first.map(String.init) ?? target
            if servicesNicks.contains(nick.lowercased()) {
                return "\(message.command) \(target) :<redacted>"
            }
        default:
            break
        }
        return message.wireLine
    }
}
