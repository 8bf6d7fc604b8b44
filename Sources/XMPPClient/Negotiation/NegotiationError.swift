import XMPP

/// Why stream negotiation (RFC 6120 §4–§7) could not reach an established session. Each case
/// says what the operator can do about it.
enum NegotiationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `tls: starttls` but the server's features do not offer STARTTLS (RFC 6120 §5.3.1).
    case startTLSNotOffered
    /// The server refused STARTTLS with `<failure/>` (RFC 6120 §5.4.2.2).
    case startTLSRefused
    /// `tls: plaintext` was chosen but the server insists on TLS.
    case serverRequiresTLS
    /// None of the offered SASL mechanisms is one we may use.
    case noUsableMechanism(offered: [String], plainAllowed: Bool, encrypted: Bool)
    /// SCRAM or the server's verdict failed (wrong password, forged server signature…).
    case authentication(SASLError)
    /// Resource binding was refused (RFC 6120 §7.6.2).
    case bindFailed(String)
    /// The server answered something that does not fit the negotiation step.
    case unexpectedElement(step: String, element: String)

    var description: String {
        switch self {
        case .startTLSNotOffered:
            "the server does not offer STARTTLS; use a server with TLS, `tls: direct` for port 5223, or (test servers only) `tls: plaintext`"
        case .startTLSRefused:
            "the server refused STARTTLS; check the server's TLS certificate configuration"
        case .serverRequiresTLS:
            "`tls: plaintext` is configured but the server requires TLS; use `tls: starttls`"
        case .noUsableMechanism(let offered, let plainAllowed, let encrypted):
            "no usable SASL mechanism among [\(offered.joined(separator: ", "))]; Tocsin supports SCRAM-SHA-512/256/1"
                + (offered.contains { $0.uppercased() == "PLAIN" }
                    ? (encrypted ? (plainAllowed ? "" : " and PLAIN when `allow_plain: true` is set") : " (PLAIN is never used without TLS)")
                    : "")
        case .authentication(let error):
            error.description
        case .bindFailed(let condition):
            "resource binding failed (\(condition))"
        case .unexpectedElement(let step, let element):
            "unexpected <\(element)> from the server while \(step)"
        }
    }

    /// Failures a quick retry will not fix: wait the longest backoff.
    var isPersistent: Bool {
        switch self {
        case .authentication, .noUsableMechanism, .serverRequiresTLS, .startTLSNotOffered: true
        default: false
        }
    }
}
