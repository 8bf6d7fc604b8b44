import Crypto

/// The hash functions SCRAM is used with here: SHA-1 (RFC 5802), SHA-256 (RFC 7677) and
/// SHA-512 (draft-melnikov-scram-sha-512, offered by ejabberd).
public enum SCRAMHash: String, CaseIterable, Hashable, Sendable {
    case sha1, sha256, sha512

    /// The SASL mechanism using this hash without channel binding.
    public var mechanism: SASLMechanismName {
        switch self {
        case .sha1: .scramSHA1
        case .sha256: .scramSHA256
        case .sha512: .scramSHA512
        }
    }

    /// `H(data)`.
    func hash(_ data: [UInt8]) -> [UInt8] {
        switch self {
        case .sha1: Array(Insecure.SHA1.hash(data: data))
        case .sha256: Array(SHA256.hash(data: data))
        case .sha512: Array(SHA512.hash(data: data))
        }
    }

    /// `HMAC(key, data)`.
    func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: key)
        switch self {
        case .sha1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: data, using: key))
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: data, using: key))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: data, using: key))
        }
    }

    /// `Hi(str, salt, i)` from RFC 5802 §2.2, which is PBKDF2 (RFC 8018) with HMAC as the PRF
    /// and an output length of one hash block.
    func hi(_ password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        switch self {
        case .sha1: Self.pbkdf2(Insecure.SHA1.self, password, salt, iterations)
        case .sha256: Self.pbkdf2(SHA256.self, password, salt, iterations)
        case .sha512: Self.pbkdf2(SHA512.self, password, salt, iterations)
        }
    }

    private static func pbkdf2<H: HashFunction>(_: H.Type, _ password: [UInt8], _ salt: [UInt8], _ iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var previous = Array(HMAC<H>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var result = previous
        if iterations > 1 {
            for _ in 2...iterations {
                previous = Array(HMAC<H>.authenticationCode(for: previous, using: key))
                for index in result.indices { result[index] ^= previous[index] }
            }
        }
        return result
    }
}
