import NIOCore
import NIOSSL

/// The TLS client side of one chat connection, written once for IRC and XMPP: the configuration
/// keys `tls.ca_file`, `tls.client_certificate` / `tls.client_key`, `tls.server_name` and
/// `tls.verify` mean the same on both.
///
/// NIOSSL's client defaults (certificate chain and host name verified against the system trust
/// store) are adjusted only where the configuration says so.
public struct TLSClientSettings: Sendable, Hashable {
    /// The host we connect to (the fallback name for SNI and verification).
    public var host: String
    /// `tls.server_name`: the name the certificate must carry, when not the host.
    public var serverName: String?
    /// `tls.ca_file`: a PEM file replacing the system trust roots (private CA, self-signed).
    public var caFile: String?
    /// `tls.verify: false` turns verification off entirely — only for tests.
    public var verifyCertificate: Bool
    /// `tls.client_certificate`: a PEM chain presented to the server (SASL EXTERNAL, CertFP).
    public var clientCertificateFile: String?
    /// `tls.client_key`: its PEM key; defaults to the certificate file.
    public var clientKeyFile: String?

    public init(
        host: String, serverName: String? = nil, caFile: String? = nil, verifyCertificate: Bool = true,
        clientCertificateFile: String? = nil, clientKeyFile: String? = nil
    ) {
        self.host = host
        self.serverName = serverName
        self.caFile = caFile
        self.verifyCertificate = verifyCertificate
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
    }

    /// The NIOSSL client configuration these settings describe.
    public func configuration() throws(TLSSetupError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            tls.trustRoots = .file(caFile)
        }
        if !verifyCertificate {
            tls.certificateVerification = .none
        }
        if let certificateFile = clientCertificateFile {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            } catch {
                throw TLSSetupError(message: "cannot read the client certificate tls.client_certificate '\(certificateFile)' (\(error)); it must be a readable PEM file")
            }
            let keyFile = clientKeyFile ?? certificateFile
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            } catch {
                throw TLSSetupError(message: "cannot read the client key tls.client_key '\(keyFile)' (\(error)); it must be a readable, unencrypted PEM key")
            }
        }
        return tls
    }

    /// The context for every connection of this network (built once per attempt at most).
    public func makeContext() throws(TLSSetupError) -> NIOSSLContext {
        let tls = try configuration()
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            if let caFile {
                throw TLSSetupError(message: "cannot load the CA certificates from tls.ca_file '\(caFile)' (\(error)); it must be a readable PEM file")
            }
            throw TLSSetupError(message: "cannot set up TLS: \(error)")
        }
    }

    /// The name for SNI and host-name verification: `tls.server_name`, else the host — unless
    /// that is an IP address, which SNI cannot carry (RFC 6066 §3); NIOSSL then checks the
    /// certificate's IP SANs.
    public var serverHostname: String? {
        let name = serverName ?? host
        if (try? SocketAddress(ipAddress: name, port: 0)) != nil { return nil }
        return name
    }

    /// A client handler for one connection with these settings.
    public func makeHandler(context: NIOSSLContext) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
    }

    /// True for errors raised by the TLS layer (handshake, certificate, host name).
    public static func isTLSError(_ error: any Error) -> Bool {
        error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError
    }

    /// Whether `error` is the server certificate being rejected: retrying soon will not help.
    public static func isCertificateFailure(_ error: any Error) -> Bool {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname { return true }
        if case .handshakeFailed(let inner)? = error as? NIOSSLError {
            let detail = "\(inner)"
            return detail.contains("CERTIFICATE_VERIFY_FAILED") || detail.contains("certificate verify failed")
        }
        return false
    }
}

/// TLS could not be set up from the configuration; the message names the key to fix.
public struct TLSSetupError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
