/// Why SASL authentication could not proceed or did not succeed.
public enum SASLError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A step was called before the one it depends on (a programming error in the caller).
    case outOfOrder(String)
    /// The server's SCRAM message does not follow RFC 5802 §7 syntax.
    case malformedServerMessage(String)
    /// The server's nonce does not extend ours (RFC 5802 §5.1 `r`): a replay or a broken server.
    case nonceMismatch
    /// The salt (`s=`) is missing, empty or not base64.
    case invalidSalt
    /// The iteration count (`i=`) is below the accepted minimum.
    case iterationCountTooLow(Int, minimum: Int)
    /// The iteration count is so high that computing it would stall the client.
    case iterationCountTooHigh(Int, maximum: Int)
    /// The server demands a mandatory extension (`m=`, RFC 5802 §5.1) we do not implement.
    case unsupportedMandatoryExtension(String)
    /// The server ended the exchange with `e=` (RFC 5802 §7 `server-error`).
    case serverError(String)
    /// The server's `v=` signature is wrong: it does not know the password, so it is not the real
    /// server (RFC 5802 §9 mutual authentication). Never continue the session.
    case serverSignatureMismatch
    /// A payload was not valid base64 (RFC 6120 §6.4.2).
    case invalidBase64(String)
    /// The server answered `<failure>` (RFC 6120 §6.5).
    case authenticationFailed(condition: String, text: String?)

    public var description: String {
        switch self {
        case .outOfOrder(let detail):
            "SASL steps called out of order: \(detail)"
        case .malformedServerMessage(let detail):
            "the server's SCRAM message is malformed (\(detail)); the server may not implement RFC 5802 correctly"
        case .nonceMismatch:
            "the server's SCRAM nonce does not start with the client nonce; refusing to continue (possible replay or man in the middle)"
        case .invalidSalt:
            "the server's SCRAM salt is missing or not base64"
        case .iterationCountTooLow(let count, let minimum):
            "the server asked for \(count) SCRAM iterations, fewer than the accepted minimum of \(minimum); raise the server's iteration count (RFC 7677 recommends at least 4096) or lower the client's minimum"
        case .iterationCountTooHigh(let count, let maximum):
            "the server asked for \(count) SCRAM iterations, more than the \(maximum) this client computes"
        case .unsupportedMandatoryExtension(let value):
            "the server requires the unsupported SCRAM extension m=\(value)"
        case .serverError(let reason):
            "the server rejected SCRAM authentication: \(reason)"
        case .serverSignatureMismatch:
            "the server's SCRAM signature is wrong, so it does not know the password: this is not the real server; aborting"
        case .invalidBase64(let detail):
            "SASL payload is not valid base64: \(detail)"
        case .authenticationFailed(let condition, let text):
            "SASL authentication failed (\(condition)\(text.map { ": \($0)" } ?? ""))"
                + (condition == "not-authorized" ? "; check the account's username and password" : "")
        }
    }
}
