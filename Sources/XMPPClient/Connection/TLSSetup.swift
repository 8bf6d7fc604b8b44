import ChatConnection
import NIOCore
import NIOSSL

/// XMPP's side of the shared TLS setup (``ChatConnection/TLSClientSettings``): the context from
/// the configuration, and TLS failures explained in terms of the configuration keys an operator
/// can change (`tls.ca_file`, `tls.verify`).
enum TLSSetup {
    /// Certificate verification is on unless explicitly disabled; `ca_file` replaces the system
    /// trust store (for self-hosted servers with a private CA or a self-signed certificate).
    static func makeContext(_ configuration: XMPPClientConfiguration) throws(TLSSetupError) -> NIOSSLContext {
        try configuration.tlsSettings.makeContext()
    }

    /// A TLS handler for this connection, sending SNI and checking the certificate against
    /// ``XMPPClientConfiguration/tlsServerName``.
    static func makeHandler(context: NIOSSLContext, configuration: XMPPClientConfiguration) throws -> NIOSSLClientHandler {
        try configuration.tlsSettings.makeHandler(context: context)
    }

    /// Whether `error` is the server certificate being rejected: retrying soon will not help.
    static func isCertificateFailure(_ error: any Error) -> Bool {
        TLSClientSettings.isCertificateFailure(error)
    }

    /// An operator-facing description of a channel error, with advice for certificate problems.
    static func explain(_ error: any Error, configuration: XMPPClientConfiguration) -> String {
        let server = "\(configuration.connectHost):\(configuration.port)"
        let name = configuration.tlsServerName
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "the TLS certificate of \(server) is not valid for '\(name)': fix the server certificate or connect with the right host name (\(error))"
        }
        if let sslError = error as? NIOSSLError {
            switch sslError {
            case .handshakeFailed(let inner):
                let detail = "\(inner)"
                if detail.contains("CERTIFICATE_VERIFY_FAILED") || detail.contains("certificate verify failed") {
                    let advice = configuration.caFile.map { "the CA in tls.ca_file '\($0)' did not sign it" }
                        ?? "it is not signed by a CA in the system trust store; set tls.ca_file to the PEM file of the CA (or self-signed certificate) the server uses"
                    return "the TLS certificate of \(server) could not be verified for '\(name)': \(advice) (\(detail))"
                }
                return "TLS handshake with \(server) failed: \(ConnectionErrorWords.describe(inner))"
            case .uncleanShutdown:
                return "the server closed the TLS connection without a TLS close"
            default:
                return "TLS error with \(server): \(ConnectionErrorWords.describe(sslError))"
            }
        }
        return ConnectionErrorWords.describe(error)
    }
}
