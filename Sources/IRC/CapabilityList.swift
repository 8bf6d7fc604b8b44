/// One `CAP` reply carrying a capability list (IRCv3 "Capability Negotiation", version 302).
///
/// `CAP * LS * :a b=c` is a continuation (more lines follow), `CAP * LS :d` the last line;
/// ``isFinal`` tells them apart and ``merge(_:)`` accumulates them. Values (`sasl=PLAIN,EXTERNAL`)
/// are only sent with `CAP LS 302`; elsewhere the value is `nil`.
public struct CapabilityList: Hashable, Sendable {
    /// The CAP subcommands that carry a capability list.
    public enum Subcommand: String, Sendable, Hashable, CaseIterable {
        case ls = "LS", list = "LIST", ack = "ACK", nak = "NAK", new = "NEW", del = "DEL"
    }

    public var subcommand: Subcommand
    /// Capability name → value (`nil` when none). For ACK, a name starting with `-` means the
    /// capability was disabled.
    public var capabilities: [String: String?]
    /// False when the server marked the line with `*`: more lines of the same reply follow.
    public var isFinal: Bool

    public init(subcommand: Subcommand, capabilities: [String: String?], isFinal: Bool = true) {
        self.subcommand = subcommand
        self.capabilities = capabilities
        self.isFinal = isFinal
    }

    /// Reads `CAP <target> <subcommand> [*] :<list>`; `nil` if `message` is not such a reply.
    public init?(_ message: IRCMessage) {
        guard message.command == "CAP", message.parameters.count >= 2,
              let subcommand = Subcommand(rawValue: IRCMessage.uppercasedASCII(message.parameters[1]))
        else { return nil }
        self.subcommand = subcommand
        let rest = message.parameters.dropFirst(2)
        if rest.count >= 2, rest.first == "*" {
            isFinal = false
            capabilities = Self.parseList(rest.last ?? "")
        } else {
            isFinal = true
            capabilities = Self.parseList(rest.last ?? "")
        }
    }

    /// Parses a space-separated list of `name` or `name=value` tokens.
    public static func parseList(_ text: String) -> [String: String?] {
        var result: [String: String?] = [:]
        for token in text.split(separator: " ", omittingEmptySubsequences: true) {
            if let equals = token.firstIndex(of: "=") {
                result[String(token[..<equals])] = .some(String(token[token.index(after: equals)...]))
            } else {
                result[String(token)] = .some(nil)
            }
        }
        return result
    }

    /// True when `capability` is listed.
    public func contains(_ capability: String) -> Bool {
        capabilities[capability] != nil
    }

    /// The comma-separated values of a capability, e.g. `["PLAIN", "EXTERNAL"]` for
    /// `sasl=PLAIN,EXTERNAL`; empty when it has no value.
    public func values(of capability: String) -> [String] {
        guard let entry = capabilities[capability], let value = entry else { return [] }
        return value.split(separator: ",").map(String.init)
    }

    /// Adds the capabilities of the next line of a multi-line reply; ``isFinal`` becomes that
    /// line's.
    public mutating func merge(_ next: CapabilityList) {
        capabilities.merge(next.capabilities) { _, new in new }
        isFinal = next.isFinal
    }
}
