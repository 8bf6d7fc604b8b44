import Testing
@testable import XMPP

@Suite("Stanza builders produce the wire format of RFC 6120/6121")
struct StanzaBuilderTests {
    func wire(_ element: XMLElement) -> String {
        element.serialized(parentNamespace: XMPPNamespace.client)
    }

    @Test("negotiation elements carry their namespaces")
    func negotiationElements() {
        #expect(wire(Stanza.startTLS()) == "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        #expect(wire(Stanza.auth(mechanism: .plain, initialResponse: "AHRpbQB0YW5zdGFhZnRhbnN0YWFm"))
            == "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AHRpbQB0YW5zdGFhZnRhbnN0YWFm</auth>")
        #expect(wire(Stanza.auth(mechanism: .scramSHA1, initialResponse: "")) == "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>=</auth>")
        #expect(wire(Stanza.auth(mechanism: .scramSHA1, initialResponse: nil)) == "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'/>")
        #expect(wire(Stanza.saslResponse("abc=")) == "<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>abc=</response>")
        #expect(wire(Stanza.saslResponse("")) == "<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>=</response>")
        #expect(wire(Stanza.saslAbort()) == "<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
        #expect(wire(Stanza.auth(mechanism: "EXTERNAL", initialResponse: "")) == "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>")
    }

    @Test("bind asks for a resource or lets the server choose")
    func bindRequest() {
        #expect(wire(Stanza.bind(resource: "tocsin", id: "b1"))
            == "<iq id='b1' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>tocsin</resource></bind></iq>")
        #expect(wire(Stanza.bind(resource: nil, id: "b2")) == "<iq id='b2' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>")
        #expect(wire(Stanza.session(id: "s1")) == "<iq id='s1' type='set'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>")
    }

    @Test("presence: initial, directed and typed")
    func presenceBuilders() throws {
        #expect(wire(Stanza.presence()) == "<presence/>")
        let room = try JID("ops@conference.example.com/Tocsin")
        #expect(wire(Stanza.presence(to: room, type: .unavailable, id: "p1")) == "<presence id='p1' to='ops@conference.example.com/Tocsin' type='unavailable'/>")
        #expect(wire(Stanza.presence(children: [XMLElement("show", text: "dnd")])) == "<presence><show>dnd</show></presence>")
    }

    @Test("messages have to, type, body, id and extra children")
    func messageBuilder() throws {
        let room = try JID("ops@conference.example.com")
        let message = Stanza.message(to: room, type: .groupchat, body: "Incident #7 <db> & \"cache\"", id: "m1", children: [
            XMLElement("origin-id", namespace: "urn:xmpp:sid:0", attributes: ["id": "m1"]),
        ])
        #expect(wire(message) == "<message id='m1' to='ops@conference.example.com' type='groupchat'><body>Incident #7 &lt;db&gt; &amp; &quot;cache&quot;</body><origin-id xmlns='urn:xmpp:sid:0' id='m1'/></message>")
        #expect(wire(Stanza.message(to: room, body: nil)) == "<message to='ops@conference.example.com' type='chat'/>")
    }

    @Test("an iq result goes back to the requester with the same id")
    func iqResultRepliesToRequester() throws {
        let request = try parsedIQ("<iq from='alice@example.com/laptop' to='tocsin@example.com/bot' id='v1' type='get'><query xmlns='jabber:iq:version'/></iq>")
        #expect(wire(Stanza.iqResult(replyingTo: request)) == "<iq id='v1' to='alice@example.com/laptop' type='result'/>")
        #expect(wire(Stanza.iqResult(replyingTo: request.element)) == "<iq id='v1' to='alice@example.com/laptop' type='result'/>")
    }

    @Test("an unknown iq gets service-unavailable, cancel by default")
    func iqErrorDefaultsToServiceUnavailable() throws {
        let request = try parsedIQ("<iq from='example.com' id='x1' type='set'><unknown xmlns='urn:example'/></iq>")
        let reply = Stanza.iqError(replyingTo: request)
        #expect(wire(reply) == "<iq id='x1' to='example.com' type='error'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        let custom = Stanza.iqError(replyingTo: request.element, type: .modify, condition: "bad-request", text: "no")
        let parsed = try parsedIQ(try roundTripped(custom))
        #expect(parsed.error == StanzaError(type: .modify, condition: "bad-request", text: "no"))
    }

    @Test("a reply to a request without from omits to")
    func replyWithoutFromOmitsTo() throws {
        let request = try parsedIQ("<iq id='p' type='get'><ping xmlns='urn:xmpp:ping'/></iq>")
        #expect(wire(Stanza.iqResult(replyingTo: request)) == "<iq id='p' type='result'/>")
    }

    @Test("a ping is an iq get with the urn:xmpp:ping payload")
    func pingBuilder() throws {
        #expect(wire(Stanza.ping(to: try JID("example.com"), id: "ping1")) == "<iq id='ping1' to='example.com' type='get'><ping xmlns='urn:xmpp:ping'/></iq>")
        #expect(wire(Stanza.ping(to: nil, id: "ping2")) == "<iq id='ping2' type='get'><ping xmlns='urn:xmpp:ping'/></iq>")
    }

    @Test("only message, presence and iq in jabber:client are stanzas")
    func stanzaClassification() {
        #expect(Stanza.isStanza(Stanza.presence()))
        #expect(Stanza.isStanza(Stanza.ping(to: nil, id: "1")))
        #expect(!Stanza.isStanza(StreamManagement.request()))
        #expect(!Stanza.isStanza(Stanza.startTLS()))
        #expect(!Stanza.isStanza(XMLElement("message", namespace: "jabber:server")))
    }

    @Test("every builder output round-trips through the parser unchanged")
    func buildersRoundTrip() throws {
        let room = try JID("ops@conference.example.com")
        let built: [XMLElement] = [
            Stanza.startTLS(),
            Stanza.auth(mechanism: .scramSHA256, initialResponse: "biws"),
            Stanza.bind(resource: "r", id: "1"),
            Stanza.presence(to: room, type: .unavailable),
            Stanza.message(to: room, type: .groupchat, body: "x"),
            Stanza.ping(to: room, id: "2"),
            try MUC.joinPresence(room: room, nick: "Tocsin", password: "pw"),
            StreamManagement.enable(resume: true, max: 300),
            StreamManagement.resume(previd: "abc", h: 7),
        ]
        for element in built {
            #expect(roundTrip(element) == element)
        }
    }
}
