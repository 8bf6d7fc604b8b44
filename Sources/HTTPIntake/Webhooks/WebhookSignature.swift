import Crypto

/// PagerDuty Webhooks v3 signature check (developer docs, "Webhooks" › "Verifying Signatures").
///
/// `X-PagerDuty-Signature` holds one or more comma-separated signatures, several while a secret
/// rotates; the current version is `v1=<hex HMAC-SHA256(secret, raw body)>`. A delivery is genuine when
/// at least one `v1` signature matches the HMAC of the unaltered body under any configured secret.
/// Comparison is constant-time (swift-crypto's `isValidAuthenticationCode`).
struct WebhookSignature: Sendable {
    enum Verdict: Sendable, Equatable {
        /// At least one signature matches a configured secret.
        case genuine
        /// No header, or no well-formed `v1=` signature in it: 400, as PagerDuty's go-pagerduty
        /// `webhookv3` package recommends for `ErrMalformedHeader`.
        case malformedHeader
        /// Well-formed signatures, none valid: 403, so PagerDuty does not redeliver
        /// (`ErrNoValidSignatures`).
        case noValidSignature
    }

    static let headerName = "X-PagerDuty-Signature"
    private static let versionPrefix = "v1="

    /// The secrets' bytes; `SymmetricKey` is made per check because it is not `Sendable`.
    private let secrets: [[UInt8]]

    init(secrets: [String]) {
        self.secrets = secrets.map { Array($0.utf8) }
    }

    /// The `v1` signatures of the header values, decoded. Other versions and entries that are not hex
    /// are skipped, as PagerDuty's reference implementation does.
    static func signatures(inHeaderValues values: [String]) -> [[UInt8]] {
        values.flatMap { $0.split(separator: ",") }.compactMap { entry in
            let trimmed = entry.trimmingASCIIWhitespace()
            guard trimmed.hasPrefix(versionPrefix) else { return nil }
            return decodeHex(trimmed.dropFirst(versionPrefix.count))
        }
    }

    func verify(body: [UInt8], headerValues: [String]) -> Verdict {
        let signatures = Self.signatures(inHeaderValues: headerValues)
        guard !signatures.isEmpty else { return .malformedHeader }
        for secret in secrets {
            let key = SymmetricKey(data: secret)
            for signature in signatures
            where HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: body, using: key) {
                return .genuine
            }
        }
        return .noValidSignature
    }

    /// The hex signature of `body` under `secret`, as PagerDuty sends it (`v1=…`). For tests and tools.
    static func sign(_ body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return versionPrefix + mac.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    private static func decodeHex(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Substring {
    fileprivate func trimmingASCIIWhitespace() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
