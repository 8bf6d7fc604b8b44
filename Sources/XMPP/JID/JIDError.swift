/// Why a string is not a valid JID (RFC 7622).
///
/// Carries the offending input so a configuration error can say exactly which value to fix.
public struct JIDError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The three parts of a JID (RFC 7622 §3.1).
    public enum Part: String, Hashable, Sendable {
        case localpart, domainpart, resourcepart
    }

    public enum Reason: Hashable, Sendable {
        /// A part is present but empty (`@example.com`, `user@`, `user@example.com/`), or the
        /// whole string is empty (RFC 7622 §3.1: every present part must be non-empty).
        case empty(Part)
        /// A part exceeds 1023 bytes of UTF-8 (RFC 7622 §3.2–§3.4).
        case tooLong(Part, byteCount: Int)
        /// A part contains a character its PRECIS profile forbids (RFC 7622 §3.3.1, §3.4.1).
        case forbiddenCharacter(Part, Character)
        /// The domainpart is not a DNS name or bracketed IP literal (RFC 7622 §3.2).
        case invalidDomain(String)
    }

    /// The string that failed to parse.
    public var input: String
    public var reason: Reason

    public init(input: String, reason: Reason) {
        self.input = input
        self.reason = reason
    }

    public var description: String {
        let what: String
        switch reason {
        case .empty(let part):
            what = "the \(part.rawValue) is empty; write user@example.com, example.com or user@example.com/resource"
        case .tooLong(let part, let byteCount):
            what = "the \(part.rawValue) is \(byteCount) bytes long; at most 1023 bytes of UTF-8 are allowed (RFC 7622 §3)"
        case .forbiddenCharacter(let part, let character):
            let shown = character.unicodeScalars.map { $0.properties.generalCategory == .control || $0 == " " ? "U+\(String($0.value, radix: 16, uppercase: true))" : String($0) }.joined()
            what = "the \(part.rawValue) must not contain '\(shown)' (RFC 7622 §3.3.1/§3.4.1)"
        case .invalidDomain(let detail):
            what = "the domainpart is not a valid host name: \(detail) (RFC 7622 §3.2)"
        }
        return "invalid JID '\(input)': \(what)"
    }
}
