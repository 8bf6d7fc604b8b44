import NIOCore
import NIOSSL

/// TLS for IRC connections: NIOSSL's client defaults (certificate chain and host name verified
/// against the system trust store) adjusted only where the configuration says so.
enum IRCTLS {
    /// The TLS client configuration for `configuration`.
    ///
    /// - `tls.ca_file` replaces the system trust roots (private CA, self-signed server).
    /// - `tls.verify: false` turns verification off entirely — only for tests.
    /// - A client certificate (and key, defaulting to the same PEM file) is presented for SASL
    ///   EXTERNAL / CertFP.
    static func configuration(for configuration: IRCClientConfiguration) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.caFile {
            tls.trustRoots = .file(caFile)
        }
        if !configuration.verifyCertificate {
            tls.certificateVerification = .none
        }
        if let certificateFile = configuration.clientCertificateFile {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            let key = try NIOSSLPrivateKey(file: configuration.clientKeyFile ?? certificateFile, format: .pem)
            tls.privateKey = .privateKey(key)
        }
        return tls
    }

    static func context(for configuration: IRCClientConfiguration) throws -> NIOSSLContext {
        try NIOSSLContext(configuration: self.configuration(for: configuration))
    }

    /// The name for SNI and host-name verification: `tls.server_name`, else the host — unless that is
    /// an IP address, which SNI cannot carry; NIOSSL then checks the certificate's IP SANs.
    static func serverHostname(for configuration: IRCClientConfiguration) -> String? {
        let name = configuration.serverName ?? configuration.host
        if (try? SocketAddress(ipAddress: name, port: 0)) != nil { return nil }
        return name
    }

    /// True for errors raised by the TLS layer (handshake, certificate, host name).
    static func isTLSError(_ error: any Error) -> Bool {
        error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError
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
