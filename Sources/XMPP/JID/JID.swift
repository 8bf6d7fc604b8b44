import Foundation

/// An XMPP address, `localpart@domainpart/resourcepart` (RFC 7622).
///
/// Parsing follows RFC 7622 §3.1: the resourcepart is everything after the first `/`, the
/// localpart everything before the first `@` that precedes it, the rest is the domainpart.
/// Every present part must be 1…1023 bytes of UTF-8.
///
/// Normalization is a **simplified PRECIS** (documented deviation from RFC 7622 §3.2–§3.4, which
/// require the full IDNA2008 and PRECIS profiles):
/// - every part is converted to Unicode NFC;
/// - the domainpart is lowercased and a trailing dot removed (§3.2), and must be a DNS name
///   (labels of letters, digits, `-`, `_` or non-ASCII, each 1…63 bytes) or a bracketed IP literal;
/// - the localpart is lowercased (standing in for the UsernameCaseMapped profile's case
///   folding) and may not contain `" & ' / : < > @`, whitespace or control characters (§3.3.1);
/// - the resourcepart is kept as written (OpaqueString keeps case) but may not contain control
///   characters.
/// Two JIDs are equal when their normalized parts are equal, so `Bot@Example.COM` equals `bot@example.com`.
public struct JID: Hashable, Sendable {
    /// The account or room name (`bot` in `bot@example.com`), case-normalized.
    public let localpart: String?
    /// The service (`example.com`), lowercased.
    public let domainpart: String
    /// The session or occupant nickname (`Tocsin` in `room@muc.example.com/Tocsin`), as written.
    public let resourcepart: String?

    /// Maximum bytes of UTF-8 per part (RFC 7622 §3.2, §3.3, §3.4).
    public static let maximumPartBytes = 1023

    /// Parses and normalizes a JID string.
    public init(_ string: String) throws(JIDError) {
        var rest = Substring(string)
        var resource: Substring?
        if let slash = rest.firstIndex(of: "/") {
            resource = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var local: Substring?
        if let at = rest.firstIndex(of: "@") {
            local = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        try self.init(
            input: string,
            localpart: local.map(String.init),
            domainpart: String(rest),
            resourcepart: resource.map(String.init)
        )
    }

    /// Builds a JID from its parts, validating and normalizing each as ``init(_:)`` does.
    public init(localpart: String? = nil, domainpart: String, resourcepart: String? = nil) throws(JIDError) {
        var input = domainpart
        if let localpart { input = localpart + "@" + input }
        if let resourcepart { input += "/" + resourcepart }
        try self.init(input: input, localpart: localpart, domainpart: domainpart, resourcepart: resourcepart)
    }

    private init(input: String, localpart: String?, domainpart: String, resourcepart: String?) throws(JIDError) {
        func fail(_ reason: JIDError.Reason) -> JIDError { JIDError(input: input, reason: reason) }

        if let localpart {
            let normalized = Self.nfc(localpart).lowercased()
            try Self.checkLength(normalized, .localpart, fail)
            if let bad = normalized.first(where: Self.isForbiddenInLocalpart) {
                throw fail(.forbiddenCharacter(.localpart, bad))
            }
            self.localpart = normalized
        } else {
            self.localpart = nil
        }

        // RFC 7622 §3.2 / RFC 5895: the ideographic and fullwidth full stops separate labels too.
        var domain = Self.isASCII(domainpart) ? domainpart.lowercased()
            : String(domainpart.precomposedStringWithCanonicalMapping.lowercased().map { character -> Character in
                character == "\u{3002}" || character == "\u{FF0E}" || character == "\u{FF61}" ? "." : character
            })
        if domain.hasSuffix("."), domain.count > 1 { domain.removeLast() }
        try Self.checkLength(domain, .domainpart, fail)
        if let problem = Self.domainProblem(domain) { throw fail(problem) }
        self.domainpart = domain

        if let resourcepart {
            let normalized = Self.nfc(resourcepart)
            try Self.checkLength(normalized, .resourcepart, fail)
            if let bad = normalized.first(where: Self.isControl) {
                throw fail(.forbiddenCharacter(.resourcepart, bad))
            }
            self.resourcepart = normalized
        } else {
            self.resourcepart = nil
        }
    }

    /// The JID without its resource: the account or the room (RFC 7622 §3.5 "bare JID").
    public var bare: JID {
        guard resourcepart != nil else { return self }
        return JID(validatedLocalpart: localpart, domainpart: domainpart, resourcepart: nil)
    }

    /// Whether there is no resourcepart.
    public var isBare: Bool { resourcepart == nil }

    /// The same account or room with another resource, e.g. a room JID plus a nickname gives the
    /// occupant JID (XEP-0045 §7.2).
    public func with(resource: String) throws(JIDError) -> JID {
        try JID(localpart: localpart, domainpart: domainpart, resourcepart: resource)
    }

    private init(validatedLocalpart localpart: String?, domainpart: String, resourcepart: String?) {
        self.localpart = localpart
        self.domainpart = domainpart
        self.resourcepart = resourcepart
    }

    // MARK: Validation

    /// Unicode NFC. An ASCII string is its own NFC (no ASCII character decomposes or composes), so
    /// the common case skips Foundation's normalization, which bridges through `NSString` and was
    /// a visible share of the CPU per received stanza (issue 11).
    private static func nfc(_ part: String) -> String {
        isASCII(part) ? part : part.precomposedStringWithCanonicalMapping
    }

    private static func isASCII(_ part: String) -> Bool {
        part.utf8.allSatisfy { $0 < 0x80 }
    }

    private static func checkLength(_ part: String, _ which: JIDError.Part, _ fail: (JIDError.Reason) -> JIDError) throws(JIDError) {
        let bytes = part.utf8.count
        if bytes == 0 { throw fail(.empty(which)) }
        if bytes > maximumPartBytes { throw fail(.tooLong(which, byteCount: bytes)) }
    }

    private static func isControl(_ character: Character) -> Bool {
        character.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// RFC 7622 §3.3.1 excludes these six characters (plus `@`, `/` which delimit parts);
    /// the PRECIS IdentifierClass excludes spaces and controls.
    private static func isForbiddenInLocalpart(_ character: Character) -> Bool {
        switch character {
        case "\"", "&", "'", "/", ":", "<", ">", "@": return true
        default: return character.isWhitespace || isControl(character)
        }
    }

    /// ASCII letters, digits, `-` and `_` (seen on internal hosts), or any non-ASCII character
    /// that is not whitespace or a control: a lenient stand-in for IDNA2008 U-labels.
    private static func isAllowedInDomainLabel(_ character: Character) -> Bool {
        if character.isASCII {
            return character.isASCIIAlphanumeric || character == "-" || character == "_"
        }
        return !character.isWhitespace && !isControl(character)
    }

    private static func domainProblem(_ domain: String) -> JIDError.Reason? {
        if domain.hasPrefix("[") {
            guard domain.hasSuffix("]"), domain.count > 2 else { return .invalidDomain("unterminated IPv6 literal") }
            let inner = domain.dropFirst().dropLast()
            guard inner.contains(":"), inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return .invalidDomain("'\(inner)' is not an IPv6 address")
            }
            return nil
        }
        for label in domain.split(separator: ".", omittingEmptySubsequences: false) {
            if label.isEmpty { return .invalidDomain("empty label (two dots in a row or a leading dot)") }
            if label.utf8.count > 63 { return .invalidDomain("label '\(label)' is longer than 63 bytes") }
            if let bad = label.first(where: { !isAllowedInDomainLabel($0) }) {
                return .forbiddenCharacter(.domainpart, bad)
            }
        }
        return nil
    }
}

extension Character {
    fileprivate var isASCIIAlphanumeric: Bool {
        guard let ascii = asciiValue else { return false }
        return (0x30...0x39).contains(ascii) || (0x61...0x7A).contains(ascii) || (0x41...0x5A).contains(ascii)
    }
}

extension JID: CustomStringConvertible {
    /// The canonical string form, `localpart@domainpart/resourcepart`.
    public var description: String {
        var result = domainpart
        if let localpart { result = localpart + "@" + result }
        if let resourcepart { result += "/" + resourcepart }
        return result
    }
}

extension JID: Codable {
    /// Decodes from a single JID string, so configuration files can write `jid: bot@example.com`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            try self.init(string)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
