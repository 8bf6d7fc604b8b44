import Testing
@testable import XMPP

@Suite("Stream header, features and stream errors (RFC 6120 §4)")
struct StreamNegotiationTests {
    @Test("the client header declares jabber:client and the stream prefix")
    func clientHeaderIsComplete() {
        #expect(StreamHeader.open(to: "example.com", from: "bot@example.com")
            == "<?xml version='1.0'?><stream:stream to='example.com' from='bot@example.com' version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>")
        #expect(!StreamHeader.open(to: "example.com", from: nil).contains("from="))
        #expect(StreamHeader.close == "</stream:stream>")
    }

    @Test("the client header escapes its attribute values")
    func clientHeaderEscapes() {
        #expect(StreamHeader.open(to: "a'b", from: nil).contains("to='a&apos;b'"))
    }

    @Test("our own header parses as a stream start, and stanzas serialized for it need no xmlns")
    func ownHeaderParses() throws {
        let message = Stanza.message(to: try JID("a@b"), body: "x")
        let text = StreamHeader.open(to: "example.com", from: nil) + message.serialized(parentNamespace: XMPPNamespace.client) + StreamHeader.close
        let events = try parse(text).get()
        #expect(events.count == 3)
        #expect(events[1] == .stanza(message))
        #expect(events[2] == .streamClosed)
    }

    @Test("prosody's pre-TLS features require STARTTLS")
    func prosodyFeaturesRequireTLS() throws {
        let features = StreamFeatures(element: try #require(stanzas(parse(Transcripts.prosodyPreTLS)).first))
        #expect(features.startTLS)
        #expect(features.startTLSRequired)
        #expect(features.saslMechanisms.isEmpty)
        #expect(!features.bind)
    }

    @Test("SASL mechanisms are listed in server order")
    func saslMechanismsInOrder() throws {
        let features = StreamFeatures(element: try #require(stanzas(parse(Transcripts.ejabberdFeatures)).first))
        #expect(!features.startTLS)
        #expect(features.saslMechanisms == ["SCRAM-SHA-512-PLUS", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "X-OAUTH2"])
        #expect(features.contains(name: "register", namespace: "http://jabber.org/features/iq-register"))
    }

    @Test("post-authentication features offer bind, optional session and SM v3")
    func postAuthenticationFeatures() throws {
        let features = StreamFeatures(element: try #require(stanzas(parse(Transcripts.prosodySession)).first))
        #expect(features.bind)
        #expect(!features.sessionRequired)
        #expect(features.streamManagement)
        #expect(!features.startTLS)
    }

    @Test("a session feature without <optional/> is required")
    func sessionWithoutOptionalIsRequired() throws {
        let element = try #require(parseStanza("<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></stream:features>"))
        #expect(StreamFeatures(element: element).sessionRequired)
        #expect(!StreamFeatures(element: element).streamManagement)
    }

    @Test("STARTTLS without <required/> is optional")
    func startTLSWithoutRequired() throws {
        let element = try #require(parseStanza("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>"))
        let features = StreamFeatures(element: element)
        #expect(features.startTLS)
        #expect(!features.startTLSRequired)
    }

    @Test("an element that is not stream features yields no features")
    func otherElementYieldsNoFeatures() {
        let features = StreamFeatures(element: XMLElement("features", namespace: "urn:other", children: [.element(XMLElement("bind", namespace: XMPPNamespace.bind))]))
        #expect(!features.bind)
    }

    @Test("a stream error is parsed with condition and text")
    func streamErrorIsParsed() throws {
        let element = try #require(parseStanza("<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Replaced by new connection</text></stream:error>"))
        let error = try #require(StreamError(element: element))
        #expect(error.condition == "conflict")
        #expect(error.text == "Replaced by new connection")
        #expect(error.seeOtherHost == nil)
        #expect(error.description == "XMPP stream error 'conflict': Replaced by new connection")
    }

    @Test("see-other-host carries the alternate host")
    func seeOtherHostCarriesHost() throws {
        let element = try #require(parseStanza("<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>[2001:db8::1]:9222</see-other-host></stream:error>"))
        #expect(StreamError(element: element)?.seeOtherHost == "[2001:db8::1]:9222")
    }

    @Test("a stream error without a condition is undefined-condition, other elements are not errors")
    func streamErrorFallbacks() throws {
        let element = try #require(parseStanza("<stream:error/>"))
        #expect(StreamError(element: element)?.condition == "undefined-condition")
        #expect(StreamError(element: XMLElement("error", namespace: XMPPNamespace.client)) == nil)
    }

    @Test("a built stream error parses back to itself")
    func builtStreamErrorRoundTrips() throws {
        let error = StreamError(condition: "policy-violation", text: "stanza too large")
        let parsed = try #require(roundTrip(error.element))
        #expect(StreamError(element: parsed) == error)
    }
}
