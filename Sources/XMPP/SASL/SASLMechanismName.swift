/// The SASL mechanisms this client implements (RFC 6120 §6, RFC 5802, RFC 7677, RFC 4616).
///
/// Channel-binding `-PLUS` variants are deliberately absent: they need the TLS exporter or
/// `tls-unique` data from the transport, which this codec does not see, and choosing one without
/// real binding would fail authentication.
public enum SASLMechanismName: String, CaseIterable, Hashable, Sendable {
    case scramSHA512 = "SCRAM-SHA-512"
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA1 = "SCRAM-SHA-1"
    case plain = "PLAIN"

    /// The strongest mechanism both sides support, in the order SCRAM-SHA-512, -256, -1, then
    /// PLAIN only if `allowPlain` (callers allow it only on an encrypted stream: PLAIN sends the
    /// password itself, RFC 4616 §6). Matching ignores case; `-PLUS` names never match.
    public static func preferred(from offered: [String], allowPlain: Bool) -> SASLMechanismName? {
        let offeredNames = Set(offered.map { $0.uppercased() })
        return allCases.first { mechanism in
            (mechanism != .plain || allowPlain) && offeredNames.contains(mechanism.rawValue)
        }
    }

    /// The SCRAM hash for SCRAM mechanisms, `nil` for PLAIN.
    public var scramHash: SCRAMHash? {
        switch self {
        case .scramSHA512: .sha512
        case .scramSHA256: .sha256
        case .scramSHA1: .sha1
        case .plain: nil
        }
    }
}
