#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix
import NIOSSL

/// Says in words what went wrong with a connection, and which setting to check, instead of a NIO
/// dump (`NIOConnectionError(host:…, connectionErrors: [SingleConnectionFailure(…)])`,
/// `handshakeFailed(sslError([Error: 268435581 error:1000007d:SSL routines:…]))`).
///
/// For logs and `/readyz` details. The sentences name the configuration keys of `tocsin.yml`
/// (`tls.ca_file`, `tls.server_name`, `tls.mode`, `host`, `port`) the operator can act on.
public enum ConnectionErrorWords {
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            return connection(error)
        case let error as NIOSSLError:
            return tls(error)
        case let error as NIOSSLExtraError:
            if error == .failedToValidateHostname || error == .serverHostnameImpossibleToMatch {
                return "TLS certificate does not name this server (check host, or tls.server_name)"
            }
            return "TLS setup failed: \(error) (check the tls settings)"
        case let error as BoringSSLError:
            return boringSSL(error)
        case let error as ChannelError:
            return channel(error)
        case let error as IOError:
            return io(error.errnoCode) ?? "network error: \(error.description)"
        case let error as SocketAddressError:
            return "cannot resolve the server's host name (check host): \(error)"
        default:
            return String(describing: error)
        }
    }

    /// The cause only: callers already say "cannot connect to HOST:PORT".
    private static func connection(_ error: NIOConnectionError) -> String {
        if let failure = error.connectionErrors.first {
            return describe(failure.error)
        }
        if error.dnsAError != nil || error.dnsAAAAError != nil {
            return "cannot resolve \(error.host) (check host, and DNS on this machine)"
        }
        return "no address to connect to for \(error.host) (check host)"
    }

    private static func tls(_ error: NIOSSLError) -> String {
        switch error {
        case .handshakeFailed(let inner):
            return boringSSL(inner)
        case .failedToLoadCertificate, .noSuchFilesystemObject:
            return "TLS certificate file cannot be read (check tls.ca_file and tls.client_certificate)"
        case .failedToLoadPrivateKey:
            return "TLS private key cannot be read (check tls.client_key)"
        case .uncleanShutdown:
            return "the server closed the TLS connection without a TLS close (connection cut)"
        case .unableToValidateCertificate, .noCertificateToValidate:
            return "TLS certificate could not be verified (check tls.ca_file)"
        default:
            return "TLS failed: \(error)"
        }
    }

    private static func boringSSL(_ error: BoringSSLError) -> String {
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS certificate not trusted (check tls.ca_file, or that the server's certificate is valid and not expired)"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") || text.contains("PACKET_LENGTH_TOO_LONG") {
            return "the server did not answer with TLS on this port (check port and tls.mode)"
        }
        if text.contains("NO_SHARED_CIPHER") || text.contains("UNSUPPORTED_PROTOCOL") || text.contains("PROTOCOL_VERSION") {
            return "no TLS version or cipher in common with the server (TLS 1.2 or later is required)"
        }
        if text.contains("CERTIFICATE_REQUIRED") || text.contains("HANDSHAKE_FAILURE") {
            return "the server refused the TLS handshake (does it require a client certificate? check tls.client_certificate)"
        }
        return "TLS handshake failed (check tls.ca_file and tls.mode)"
    }

    private static func channel(_ error: ChannelError) -> String {
        switch error {
        case .connectTimeout(let amount):
            return "no answer from the server within \(amount.nanoseconds / 1_000_000_000) s (check host, port and firewalls)"
        case .eof, .inputClosed, .outputClosed, .ioOnClosedChannel, .alreadyClosed:
            return "the connection was closed"
        default:
            return "network error: \(error)"
        }
    }

    private static func io(_ code: CInt) -> String? {
        switch code {
        case ECONNREFUSED: "connection refused (is the server running and listening on this port?)"
        case ECONNRESET: "connection reset by the server"
        case ETIMEDOUT: "connection timed out (check host, port and firewalls)"
        case EHOSTUNREACH, ENETUNREACH: "the server's network is unreachable (check host and routing)"
        case EPIPE: "the connection was closed while writing"
        default: nil
        }
    }
}
