import Testing
import XMPP
@testable import XMPPClient

/// Good citizenship: disco#info, version, ping, and service-unavailable for the rest.
@Suite struct IQTests {
    @Test func discoInfoAnnouncesABotAndItsFeatures() throws {
        var harness = SessionHarness()
        harness.establish()
        let reply = try #require(harness.feed("<iq from='alice@localhost/phone' type='get' id='d1'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>").elements(named: "iq").first)
        #expect(reply[attribute: "type"] == "result")
        #expect(reply[attribute: "id"] == "d1")
        #expect(reply[attribute: "to"] == "alice@localhost/phone")
        let query = try #require(reply.firstChild(named: "query", namespace: XMPPNamespace.discoInfo))
        let identity = try #require(query.firstChild(named: "identity"))
        #expect(identity[attribute: "category"] == "client")
        #expect(identity[attribute: "type"] == "bot")
        #expect(identity[attribute: "name"] == "Tocsin")
        let features = Set(query.children(named: "feature").compactMap { $0[attribute: "var"] })
        #expect(features.isSuperset(of: [XMPPNamespace.discoInfo, XMPPNamespace.ping, XMPPNamespace.version, XMPPNamespace.muc, XMPPNamespace.conference]))
    }

    @Test func versionNamesTocsin() throws {
        var harness = SessionHarness()
        harness.establish()
        let reply = try #require(harness.feed("<iq from='alice@localhost/phone' type='get' id='v1'><query xmlns='jabber:iq:version'/></iq>").elements(named: "iq").first)
        let query = try #require(reply.firstChild(named: "query", namespace: XMPPNamespace.version))
        #expect(query.firstChild(named: "name")?.text == "Tocsin")
        #expect(query.firstChild(named: "version")?.text.isEmpty == false)
        #expect(query.firstChild(named: "os") == nil)
    }

    @Test func pingIsAnsweredWithAnEmptyResult() throws {
        var harness = SessionHarness()
        harness.establish()
        let reply = try #require(harness.feed("<iq from='localhost' type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>").elements(named: "iq").first)
        #expect(reply.wire == "<iq id='p1' to='localhost' type='result'/>")
    }

    @Test func unknownRequestsGetServiceUnavailable() throws {
        var harness = SessionHarness()
        harness.establish()
        for type in ["get", "set"] {
            let reply = try #require(harness.feed("<iq from='alice@localhost/x' type='\(type)' id='u1'><query xmlns='urn:example:unknown'/></iq>").elements(named: "iq").first)
            #expect(reply[attribute: "type"] == "error")
            let error = try #require(reply.firstChild(named: "error"))
            #expect(error[attribute: "type"] == "cancel")
            #expect(error.firstChild(named: "service-unavailable", namespace: XMPPNamespace.stanzaErrors) != nil)
        }
    }

    @Test func resultsAndErrorsAreNeverAnswered() {
        var harness = SessionHarness()
        harness.establish()
        #expect(harness.feed("<iq from='alice@localhost/x' type='result' id='zzz'/>").isEmpty)
        #expect(harness.feed("<iq from='alice@localhost/x' type='error' id='zzz'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>").isEmpty)
    }
}
