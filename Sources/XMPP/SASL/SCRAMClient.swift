import Foundation

/// The client side of SCRAM without channel binding (RFC 5802, RFC 7677; XMPP use in RFC 6120 §6).
///
/// The exchange, with `Stanza` builders carrying the messages base64-encoded:
/// 1. ``clientFirstMessage()`` → `<auth mechanism='SCRAM-…'>` initial response;
/// 2. the server's `<challenge>` → ``clientFinalMessage(serverFirst:)`` → `<response>`;
/// 3. the server's `<success>` data → ``verifyServerFinal(_:)``, which proves the server knows
///    the password (mutual authentication, RFC 5802 §9). Only then is the session trusted.
///
/// The GS2 header is always `n,,` ("client does not support channel binding", RFC 5802 §7):
/// the transport's TLS data is not available to this I/O-free codec, and `-PLUS` mechanisms are
/// never selected by ``SASLMechanismName/preferred(from:allowPlain:)``.
///
/// Strings are used as UTF-8 without SASLprep (RFC 4013) or OpaqueString normalization; for the
/// ASCII usernames and passwords bots use this is identical, and it keeps the password exactly as
/// configured.
public struct SCRAMClient: Sendable {
    /// The hash this exchange uses.
    public let hash: SCRAMHash
    /// The authentication identity, unescaped.
    public let username: String
    private let password: String
    /// The client nonce sent in the first message.
    public let clientNonce: String
    /// Iteration counts below this are refused (RFC 7677 §4 / RFC 5802 §5.1 ask for at least
    /// 4096; a man in the middle lowering it would make an offline password guess cheaper).
    public let minimumIterations: Int

    /// Iteration counts above this are refused so a hostile server cannot stall the client.
    public static let maximumIterations = 1_000_000

    private var clientFirstBare: String?
    private var expectedServerSignature: [UInt8]?

    /// - Parameters:
    ///   - nonce: the client nonce; `nil` draws 24 random bytes (base64, so no `,`). Tests pass
    ///     the RFC vectors' nonce. It must be printable ASCII without `,` (RFC 5802 §7 `printable`).
    ///   - minimumIterations: see ``minimumIterations``; lower it (to ≥ 1) only for a server you
    ///     control that cannot be reconfigured.
    public init(hash: SCRAMHash, username: String, password: String, nonce: String? = nil, minimumIterations: Int = 4096) {
        self.hash = hash
        self.username = username
        self.password = password
        self.clientNonce = nonce ?? Self.randomNonce()
        self.minimumIterations = max(1, minimumIterations)
    }

    /// The SASL mechanism name to put in `<auth mechanism='…'>`.
    public var mechanism: SASLMechanismName { hash.mechanism }

    /// `n,,n=<user>,r=<nonce>` (RFC 5802 §5.1), the initial response. `,` and `=` in the username
    /// are escaped as `=2C` and `=3D`.
    public mutating func clientFirstMessage() -> String {
        let bare = "n=\(Self.escapeUsername(username)),r=\(clientNonce)"
        clientFirstBare = bare
        return Self.gs2Header + bare
    }

    /// Answers the server-first message `r=…,s=…,i=…` with `c=biws,r=…,p=<proof>`.
    public mutating func clientFinalMessage(serverFirst: String) throws(SASLError) -> String {
        guard let clientFirstBare else {
            throw .outOfOrder("clientFinalMessage(serverFirst:) needs clientFirstMessage() first")
        }
        let fields = try Self.parseAttributes(serverFirst)
        if let reason = fields["e"] { throw .serverError(reason) }
        if let extensions = fields["m"] { throw .unsupportedMandatoryExtension(extensions) }
        guard let nonce = fields["r"] else { throw .malformedServerMessage("server-first message has no nonce (r=)") }
        guard nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count else { throw .nonceMismatch }
        guard let saltText = fields["s"], let salt = Data(base64Encoded: saltText), !salt.isEmpty else { throw .invalidSalt }
        guard let iterationText = fields["i"], let iterations = Int(iterationText), iterations > 0 else {
            throw .malformedServerMessage("iteration count (i=) missing or not a positive integer")
        }
        guard iterations >= minimumIterations else { throw .iterationCountTooLow(iterations, minimum: minimumIterations) }
        guard iterations <= Self.maximumIterations else { throw .iterationCountTooHigh(iterations, maximum: Self.maximumIterations) }

        let channelBinding = Data(Self.gs2Header.utf8).base64EncodedString()
        let finalWithoutProof = "c=\(channelBinding),r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(finalWithoutProof)".utf8)

        let saltedPassword = hash.hi(Array(password.utf8), salt: Array(salt), iterations: iterations)
        let clientKey = hash.hmac(key: saltedPassword, Array("Client Key".utf8))
        let storedKey = hash.hash(clientKey)
        let clientSignature = hash.hmac(key: storedKey, authMessage)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = hash.hmac(key: saltedPassword, Array("Server Key".utf8))
        expectedServerSignature = hash.hmac(key: serverKey, authMessage)

        return "\(finalWithoutProof),p=\(Data(proof).base64EncodedString())"
    }

    /// Checks the server-final message (`v=<signature>`, carried in `<success>`), proving the
    /// server holds the password's derived key. Throws for `e=` or a wrong signature.
    public func verifyServerFinal(_ serverFinal: String) throws(SASLError) {
        guard let expectedServerSignature else {
            throw .outOfOrder("verifyServerFinal(_:) needs clientFinalMessage(serverFirst:) first")
        }
        let fields = try Self.parseAttributes(serverFinal)
        if let reason = fields["e"] { throw .serverError(reason) }
        guard let signatureText = fields["v"] else {
            throw .malformedServerMessage("server-final message has neither v= nor e=")
        }
        guard let signature = Data(base64Encoded: signatureText) else { throw .invalidBase64("server signature v=\(signatureText)") }
        guard Self.constantTimeEquals(Array(signature), expectedServerSignature) else { throw .serverSignatureMismatch }
    }

    // MARK: Helpers

    private static let gs2Header = "n,,"

    /// RFC 5802 §5.1: `=` → `=3D`, `,` → `=2C` (order matters: escape `=` first).
    static func escapeUsername(_ username: String) -> String {
        username.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
    }

    /// Splits `a=b,c=d`; the value keeps any further `=` (base64 padding).
    private static func parseAttributes(_ message: String) throws(SASLError) -> [String: String] {
        var fields: [String: String] = [:]
        for part in message.split(separator: ",", omittingEmptySubsequences: false) {
            guard part.count >= 2, part.dropFirst().first == "=", let key = part.first, key.isLetter else {
                throw .malformedServerMessage("'\(part)' is not an attribute=value pair")
            }
            let name = String(key)
            if fields[name] == nil { fields[name] = String(part.dropFirst(2)) }
        }
        return fields
    }

    private static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    private static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
    }
}

extension SCRAMClient: CustomStringConvertible, CustomReflectable {
    /// Names the mechanism and user but never the password.
    public var description: String { "SCRAMClient(\(mechanism.rawValue), username: \(username))" }

    /// Keeps the password out of `dump` and debugger output.
    public var customMirror: Mirror {
        Mirror(self, children: ["hash": hash, "username": username, "clientNonce": clientNonce], displayStyle: .struct)
    }
}
