import ChatConnection
import Testing
import TocsinCore
import XMPP
@testable import XMPPClient

@Suite struct ConfigurationTests {
    let jid = try! JID("bot@example.org")

    @Test func defaultPortsFollowTheTLSMode() {
        #expect(XMPPClientConfiguration(network: "n", jid: jid, password: "p", tls: .startTLS, nick: "b").port == 5222)
        #expect(XMPPClientConfiguration(network: "n", jid: jid, password: "p", tls: .directTLS, nick: "b").port == 5223)
        #expect(XMPPClientConfiguration(network: "n", jid: jid, password: "p", port: 15222, nick: "b").port == 15222)
    }

    @Test func defaultsAreSafe() {
        let configuration = XMPPClientConfiguration(network: "n", jid: jid, password: "p", nick: "b")
        #expect(configuration.tls == .startTLS)
        #expect(configuration.verifyCertificate)
        #expect(!configuration.allowPlain)
        #expect(configuration.resource == "tocsin")
        #expect(configuration.pingInterval == .seconds(60))
        #expect(configuration.deadAfter == .seconds(180))
        #expect(configuration.ackTimeout == .seconds(30))
        #expect(configuration.reconnectDelay.min == .seconds(1))
        #expect(configuration.reconnectDelay.max == .seconds(60))
    }

    @Test func certificateNameIsTheDomainUnlessServerNameOverridesIt() {
        var configuration = XMPPClientConfiguration(network: "n", jid: jid, password: "p", nick: "b")
        #expect(configuration.connectHost == "example.org")
        #expect(configuration.tlsServerName == "example.org")
        configuration.host = "xmpp.example.org"
        #expect(configuration.connectHost == "xmpp.example.org")
        #expect(configuration.tlsServerName == "example.org")
        configuration.host = "127.0.0.1"
        #expect(configuration.connectHost == "127.0.0.1")
        #expect(configuration.tlsServerName == "example.org")
        configuration.serverName = "xmpp.example.org"
        #expect(configuration.tlsServerName == "xmpp.example.org")
    }

    @Test func thePasswordNeverAppearsInDescriptions() {
        let configuration = XMPPClientConfiguration(network: "n", jid: jid, password: "hunter2-secret", nick: "b")
        #expect(!"\(configuration)".contains("hunter2"))
        #expect(!String(reflecting: configuration).contains("hunter2"))
        var dumped = ""
        dump(configuration, to: &dumped)
        #expect(!dumped.contains("hunter2"))
    }

    @Test func missingCAFileIsExplainedWithTheConfigurationKey() {
        var configuration = XMPPClientConfiguration(network: "n", jid: jid, password: "p", nick: "b")
        configuration.caFile = "/nonexistent/ca.pem"
        let error = #expect(throws: TLSSetupError.self) {
            _ = try TLSSetup.makeContext(configuration)
        }
        #expect(error?.description.contains("tls.ca_file") == true)
        #expect(error?.description.contains("/nonexistent/ca.pem") == true)
    }
}
