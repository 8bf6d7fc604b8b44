import ChatConnection
import NIOCore
import NIOSSL

/// TLS for IRC connections: the shared ``ChatConnection/TLSClientSettings`` builder (NIOSSL's
/// client defaults adjusted only where the configuration says so), plus IRC-specific advice when
/// TLS fails.
enum IRCTLS {
    /// The TLS client configuration for `configuration`.
    static func configuration(for configuration: IRCClientConfiguration) throws -> TLSConfiguration {
        try configuration.tlsSettings.configuration()
    }

    static func context(for configuration: IRCClientConfiguration) throws -> NIOSSLContext {
        try configuration.tlsSettings.makeContext()
    }

    /// The name for SNI and host-name verification (see ``TLSClientSettings/serverHostname``).
    static func serverHostname(for configuration: IRCClientConfiguration) -> String? {
        configuration.tlsSettings.serverHostname
    }

    /// True for errors raised by the TLS layer (handshake, certificate, host name).
    static func isTLSError(_ error: any Error) -> Bool {
        TLSClientSettings.isTLSError(error)
    }

    /// What to tell the operator when TLS fails.
    static func explain(_ error: any Error, configuration: IRCClientConfiguration) -> String {
        let endpoint = "\(configuration.host):\(configuration.port)"
        var advice = "TLS with \(endpoint) failed: \(ConnectionErrorWords.describe(error))."
        if configuration.caFile == nil {
            advice += " If the server's certificate is self-signed or issued by a private CA, set tls.ca_file to that CA certificate (PEM)."
        } else {
            advice += " Check that tls.ca_file (\(configuration.caFile ?? "")) is the CA that issued the server's certificate."
        }
        advice += " If the certificate is issued for another name than \(configuration.host), set tls.server_name."
        advice += " If the port is not a TLS port, use tls.mode: starttls or the server's TLS port."
        return advice
    }
}
