import Testing
@testable import XMPP

@Suite("Service discovery (XEP-0030) and software version (XEP-0092)")
struct DiscoVersionTests {
    func request(_ xml: String) throws -> IQ {
        try parsedIQ(xml)
    }

    @Test("disco#info answers with the bot identity and sorted features")
    func discoInfoResult() throws {
        let query = try request("<iq from='alice@example.com/laptop' id='d1' type='get'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>")
        #expect(Disco.isInfoQuery(query))
        let result = Disco.infoResult(replyingTo: query, identities: [.bot(name: "Tocsin")], features: ["urn:xmpp:ping", "http://jabber.org/protocol/disco#info", "urn:xmpp:ping"])
        #expect(result.serialized(parentNamespace: XMPPNamespace.client)
            == "<iq id='d1' to='alice@example.com/laptop' type='result'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='client' name='Tocsin' type='bot'/><feature var='http://jabber.org/protocol/disco#info'/><feature var='urn:xmpp:ping'/></query></iq>")
    }

    @Test("disco#info echoes the queried node")
    func discoInfoEchoesNode() throws {
        let query = try request("<iq from='a@b/c' id='d2' type='get'><query xmlns='http://jabber.org/protocol/disco#info' node='https://tocsin.example#abc='/></iq>")
        let result = Disco.infoResult(replyingTo: query)
        #expect(result.firstChild(named: "query")?[attribute: "node"] == "https://tocsin.example#abc=")
        #expect(result.firstChild(named: "query")?.children(named: "feature").count == Disco.defaultFeatures.count)
        #expect(result.firstChild(named: "query")?.firstChild(named: "identity")?[attribute: "type"] == "bot")
    }

    @Test("the default features advertise what the bot answers")
    func defaultFeatures() {
        #expect(Set(Disco.defaultFeatures) == [XMPPNamespace.discoInfo, XMPPNamespace.ping, XMPPNamespace.version, XMPPNamespace.muc, XMPPNamespace.conference])
    }

    @Test("a version query is answered with name and version, os only when given")
    func versionResult() throws {
        let query = try request("<iq from='a@b/c' id='v1' type='get'><query xmlns='jabber:iq:version'/></iq>")
        #expect(SoftwareVersion.isQuery(query))
        #expect(!Disco.isInfoQuery(query))
        #expect(SoftwareVersion.result(replyingTo: query, name: "Tocsin", version: "1.2.3").serialized(parentNamespace: XMPPNamespace.client)
            == "<iq id='v1' to='a@b/c' type='result'><query xmlns='jabber:iq:version'><name>Tocsin</name><version>1.2.3</version></query></iq>")
        let withOS = SoftwareVersion.result(replyingTo: query, name: "Tocsin", version: "1", os: "Linux")
        #expect(withOS.firstChild(named: "query")?.firstChild(named: "os")?.text == "Linux")
    }

    @Test("a set with a disco payload is not a query")
    func setIsNotQuery() throws {
        let set = try request("<iq id='x' type='set'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>")
        #expect(!Disco.isInfoQuery(set))
    }
}
