import Testing
@testable import XMPP

@Suite("Service discovery queries (XEP-0030): finding the MUC services")
struct DiscoQueryTests {
    @Test("disco#items and disco#info queries are gets addressed to the entity")
    func queries() throws {
        let server = try JID("localhost")
        #expect(Disco.itemsQuery(to: server, id: "i1").serialized(parentNamespace: XMPPNamespace.client)
            == "<iq id='i1' to='localhost' type='get'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>")
        #expect(Disco.infoQuery(to: try JID("conference.localhost"), id: "i2").serialized(parentNamespace: XMPPNamespace.client)
            == "<iq id='i2' to='conference.localhost' type='get'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>")
    }

    @Test("items are the listed JIDs without a node")
    func items() throws {
        let result = try parsedIQ("""
            <iq from='localhost' id='i1' type='result'><query xmlns='http://jabber.org/protocol/disco#items'>\
            <item jid='conference.localhost' name='Chatrooms'/><item jid='localhost' node='announce'/><item jid='proxy.localhost'/>\
            <item jid='not a jid@@'/></query></iq>
            """)
        #expect(Disco.items(in: result) == [try JID("conference.localhost"), try JID("proxy.localhost")])
        let error = try parsedIQ("<iq from='localhost' id='i1' type='error'><query xmlns='http://jabber.org/protocol/disco#items'><item jid='conference.localhost'/></query><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        #expect(Disco.items(in: error).isEmpty)
    }

    @Test("a MUC service answers disco#info with identity conference/text")
    func textConference() throws {
        let muc = try parsedIQ("""
            <iq from='conference.localhost' id='i2' type='result'><query xmlns='http://jabber.org/protocol/disco#info'>\
            <identity category='Conference' type='text' name='Chatrooms'/><feature var='http://jabber.org/protocol/muc'/></query></iq>
            """)
        #expect(Disco.isTextConference(muc))
        let pubsub = try parsedIQ("<iq from='pubsub.localhost' id='i3' type='result'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='pubsub' type='service'/><feature var='http://jabber.org/protocol/muc'/></query></iq>")
        #expect(!Disco.isTextConference(pubsub), "a feature is not an identity")
        let items = try parsedIQ("<iq from='x.localhost' id='i4' type='result'><query xmlns='http://jabber.org/protocol/disco#items'><identity category='conference' type='text'/></query></iq>")
        #expect(!Disco.isTextConference(items), "only a disco#info payload counts")
        let error = try parsedIQ("<iq from='x.localhost' id='i5' type='error'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='conference' type='text'/></query></iq>")
        #expect(!Disco.isTextConference(error))
    }
}
