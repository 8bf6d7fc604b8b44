import Crypto
import Foundation

/// A bearer secret in two halves, `SELECTOR.VERIFIER`, for one-time sign-in links and session
/// cookies. The database keeps the selector (to find the row) and SHA-256 of the verifier (to
/// check it, in constant time), never the verifier itself: a leaked database or backup signs
/// nobody in, and a timing difference in the index lookup reveals only the non-secret selector.
struct SignInToken: Sendable, Hashable {
    /// 128 random bits, hex.
    var selector: String
    /// 256 random bits, hex.
    var verifier: String

    /// A fresh token from the system's cryptographic random source.
    static func random() -> SignInToken {
        var generator = SystemRandomNumberGenerator()
        func hex(_ count: Int) -> String {
            (0..<count).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
        }
        return SignInToken(selector: hex(16), verifier: hex(32))
    }

    /// Parses `SELECTOR.VERIFIER`; nil for anything else (wrong length, not lowercase hex), so
    /// junk never reaches the database.
    init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 32, parts[1].count == 64,
              parts.allSatisfy({ $0.utf8.allSatisfy(Self.isLowerHex) }) else { return nil }
        self.init(selector: String(parts[0]), verifier: String(parts[1]))
    }

    init(selector: String, verifier: String) {
        self.selector = selector
        self.verifier = verifier
    }

    var text: String { "\(selector).\(verifier)" }

    /// What the database keeps of the verifier.
    var verifierHash: String {
        SHA256.hash(data: Data(verifier.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
