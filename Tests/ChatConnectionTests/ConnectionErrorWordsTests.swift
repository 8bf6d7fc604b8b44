import ChatConnection
import NIOCore
import NIOSSL
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Connection errors read as sentences naming the setting to check, never as NIO dumps.
@Suite struct ConnectionErrorWordsTests {
    @Test func refusedConnectionSaysTheServerIsNotListening() {
        let words = ConnectionErrorWords.describe(IOError(errnoCode: ECONNREFUSED, reason: "connect"))
        #expect(words == "connection refused (is the server running and listening on this port?)")
    }

    @Test func connectTimeoutSaysHowLongAndWhatToCheck() {
        let words = ConnectionErrorWords.describe(ChannelError.connectTimeout(.seconds(20)))
        #expect(words == "no answer from the server within 20 s (check host, port and firewalls)")
    }

    @Test func hostnameMismatchPointsAtServerName() {
        let words = ConnectionErrorWords.describe(NIOSSLExtraError.failedToValidateHostname)
        #expect(words.contains("tls.server_name"))
        #expect(!words.contains("NIOSSLExtraError"))
    }

    @Test func unreadableKeyPointsAtClientKey() {
        #expect(ConnectionErrorWords.describe(NIOSSLError.failedToLoadPrivateKey).contains("tls.client_key"))
        #expect(ConnectionErrorWords.describe(NIOSSLError.failedToLoadCertificate).contains("tls.ca_file"))
    }

    @Test func unknownErrorsKeepTheirOwnDescription() {
        struct Custom: Error, CustomStringConvertible { var description: String { "custom words" } }
        #expect(ConnectionErrorWords.describe(Custom()) == "custom words")
    }
}
