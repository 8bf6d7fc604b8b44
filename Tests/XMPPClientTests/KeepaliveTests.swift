import Testing
import XMPP
@testable import XMPPClient

/// Whitespace keepalives, XEP-0199 server pings, dead-connection detection, stream errors.
@Suite struct KeepaliveTests {
    @Test func idleConnectionSendsAWhitespaceKeepalive() {
        var harness = SessionHarness(rooms: []) { $0.pingInterval = .seconds(600) }
        harness.establish()
        harness.advance(.seconds(29))
        #expect(harness.tick().isEmpty)
        harness.advance(.seconds(2))
        #expect(harness.tick() == [.write(" ")])
        // And not again right away.
        harness.advance(.seconds(1))
        #expect(harness.tick().isEmpty)
    }

    @Test func serverIsPingedEveryPingInterval() throws {
        var harness = SessionHarness(rooms: []) { $0.pingInterval = .seconds(60) }
        harness.establish()
        harness.advance(.seconds(61))
        let actions = harness.tick()
        let ping = try #require(actions.elements(named: "iq").first)
        #expect(ping[attribute: "to"] == "localhost")
        #expect(ping[attribute: "type"] == "get")
        #expect(ping.firstChild(named: "ping", namespace: XMPPNamespace.ping) != nil)
        #expect(actions.elements(named: "r", namespace: XMPPNamespace.streamManagement).count == 1)
    }

    @Test func silentServerIsDeclaredDeadAfterDeadAfter() {
        var harness = SessionHarness(rooms: []) {
            $0.pingInterval = .seconds(60)
            $0.deadAfter = .seconds(180)
        }
        harness.establish()
        harness.advance(.seconds(120))
        #expect(harness.tick().closeReason == nil)
        _ = harness.feed("<a xmlns='urn:xmpp:sm:3' h='1'/>")   // any traffic counts
        harness.advance(.seconds(179))
        #expect(harness.tick().closeReason == nil)
        harness.advance(.seconds(2))
        let close = harness.tick().closeReason
        #expect(close?.retry == .backoff)
        #expect(!harness.session.isEstablished)
        // The stream stays resumable after a silent death.
        #expect(harness.session.streamManagement.canResume)
    }

    @Test func stalledNegotiationIsAbandoned() {
        var harness = SessionHarness(rooms: [])
        _ = harness.session.connectionStarted(now: harness.now)
        harness.advance(.seconds(31))
        #expect(harness.tick().closeReason?.retry == .backoff)
    }

    /// A slow-loris server that answers just often enough to look alive never finishes negotiation:
    /// it is dropped at the overall deadline.
    @Test func tricklingServerCannotHoldNegotiationOpen() {
        var harness = SessionHarness(rooms: [])
        _ = harness.session.connectionStarted(now: harness.now)
        // Each answer comes just before the 30 s silence limit...
        harness.advance(.seconds(25))
        _ = harness.feed("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='s1' version='1.0'>")
        #expect(harness.tick().closeReason == nil)
        harness.advance(.seconds(25))
        let fed = harness.feed("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>")
        #expect(fed.closeReason == nil)
        #expect(harness.tick().closeReason == nil)
        // ...but the whole negotiation has 60 s.
        harness.advance(.seconds(11))
        #expect(harness.tick().closeReason?.retry == .backoff)
    }

    @Test func conflictStreamErrorReconnectsAfterTheLongestBackoffAndCannotResume() {
        var harness = SessionHarness(rooms: [])
        harness.establish()
        let actions = harness.feed("<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")
        #expect(actions.closeReason?.retry == .later)
        #expect(actions.writtenText.contains(StreamHeader.close))
        #expect(!harness.session.streamManagement.canResume)
    }

    @Test func seeOtherHostRedirectsTheNextConnection() {
        var harness = SessionHarness(rooms: [])
        harness.establish()
        let actions = harness.feed("<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>xmpp2.localhost:5222</see-other-host></stream:error>")
        #expect(actions.closeReason?.retry == .otherHost("xmpp2.localhost:5222"))
    }

    @Test func systemShutdownReconnects() {
        var harness = SessionHarness(rooms: [])
        harness.establish()
        let actions = harness.feed("<stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")
        #expect(actions.closeReason?.retry == .backoff)
    }

    @Test func gracefulShutdownSendsUnavailableAndClosesTheStream() {
        var harness = SessionHarness(rooms: [])
        harness.establish()
        let actions = harness.session.shutdown(now: harness.now)
        #expect(actions.elements(named: "presence").first?.wire == "<presence type='unavailable'/>")
        #expect(actions.writtenText == [StreamHeader.close])
        #expect(actions.closeReason == nil)
        // The server's own close ends it.
        #expect(harness.feed("</stream:stream>").closeReason?.retry == .stop)
    }

    @Test func shutdownGivesUpWaitingForTheServerAfterATimeout() {
        var harness = SessionHarness(rooms: [])
        harness.establish()
        _ = harness.session.shutdown(now: harness.now)
        harness.advance(.seconds(4))
        #expect(harness.tick().closeReason?.retry == .stop)
    }
}

@Suite struct RedirectTargetTests {
    @Test func seeOtherHostValuesAreSplitIntoHostAndPort() {
        #expect(RedirectTarget.hostAndPort("xmpp2.example.org", defaultPort: 5222) == ("xmpp2.example.org", 5222))
        #expect(RedirectTarget.hostAndPort("xmpp2.example.org:5299", defaultPort: 5222) == ("xmpp2.example.org", 5299))
        #expect(RedirectTarget.hostAndPort("[2001:db8::1]:5299", defaultPort: 5222) == ("2001:db8::1", 5299))
        #expect(RedirectTarget.hostAndPort("[2001:db8::1]", defaultPort: 5223) == ("2001:db8::1", 5223))
    }
}
