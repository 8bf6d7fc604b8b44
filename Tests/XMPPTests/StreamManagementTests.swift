import Testing
@testable import XMPP

@Suite("Stream Management (XEP-0198)")
struct StreamManagementTests {
    func wire(_ element: XMLElement) -> String {
        element.serialized(parentNamespace: XMPPNamespace.client)
    }

    func message(_ n: Int) -> XMLElement {
        Stanza.message(to: try! JID("room@muc.example.com"), type: .groupchat, body: "m\(n)")
    }

    @Test("builders produce the urn:xmpp:sm:3 nonzas")
    func builders() {
        #expect(wire(StreamManagement.enable()) == "<enable xmlns='urn:xmpp:sm:3' resume='true'/>")
        #expect(wire(StreamManagement.enable(resume: false, max: 300)) == "<enable xmlns='urn:xmpp:sm:3' max='300'/>")
        #expect(wire(StreamManagement.request()) == "<r xmlns='urn:xmpp:sm:3'/>")
        #expect(wire(StreamManagement.answer(h: 4_294_967_295)) == "<a xmlns='urn:xmpp:sm:3' h='4294967295'/>")
        #expect(wire(StreamManagement.resume(previd: "some-id", h: 3)) == "<resume xmlns='urn:xmpp:sm:3' h='3' previd='some-id'/>")
    }

    @Test("the handled-count-too-high stream error carries both counts")
    func handledCountTooHighError() {
        let error = StreamManagement.handledCountTooHighError(h: 10, sendCount: 8)
        #expect(StreamError(element: error)?.condition == "undefined-condition")
        let detail = error.firstChild(named: "handled-count-too-high", namespace: XMPPNamespace.streamManagement)
        #expect(detail?[attribute: "h"] == "10")
        #expect(detail?[attribute: "send-count"] == "8")
    }

    @Test("server nonzas are parsed", arguments: [
        ("<enabled xmlns='urn:xmpp:sm:3' id='abc' resume='true' max='600' location='[2001:db8::1]:5222'/>", StreamManagementNonza.enabled(id: "abc", resume: true, max: 600, location: "[2001:db8::1]:5222")),
        ("<enabled xmlns='urn:xmpp:sm:3' id='abc' resume='1'/>", .enabled(id: "abc", resume: true, max: nil, location: nil)),
        ("<enabled xmlns='urn:xmpp:sm:3'/>", .enabled(id: nil, resume: false, max: nil, location: nil)),
        ("<resumed xmlns='urn:xmpp:sm:3' previd='abc' h='42'/>", .resumed(previd: "abc", h: 42)),
        ("<failed xmlns='urn:xmpp:sm:3' h='5'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>", .failed(condition: "item-not-found", h: 5)),
        ("<failed xmlns='urn:xmpp:sm:3'><unexpected-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>", .failed(condition: "unexpected-request", h: nil)),
        ("<a xmlns='urn:xmpp:sm:3' h='4294967295'/>", .ack(h: 4_294_967_295)),
        ("<r xmlns='urn:xmpp:sm:3'/>", .request),
    ])
    func nonzasAreParsed(xml: String, expected: StreamManagementNonza) throws {
        #expect(StreamManagementNonza(element: try stanzaElement(xml)) == expected)
    }

    @Test("malformed counters and other namespaces are not nonzas", arguments: [
        "<a xmlns='urn:xmpp:sm:3' h='-1'/>",
        "<a xmlns='urn:xmpp:sm:3' h='4294967296'/>",
        "<a xmlns='urn:xmpp:sm:3'/>",
        "<resumed xmlns='urn:xmpp:sm:3' h='1'/>",
        "<a xmlns='urn:xmpp:sm:2' h='1'/>",
        "<unknown xmlns='urn:xmpp:sm:3'/>",
    ])
    func malformedNonzasAreRejected(xml: String) throws {
        #expect(StreamManagementNonza(element: try stanzaElement(xml)) == nil)
    }

    @Test("only stanzas are counted and queued")
    func onlyStanzasAreCounted() {
        var state = StreamManagementState()
        state.didSend(message(1))
        state.didSend(StreamManagement.request())
        state.didSend(Stanza.presence())
        state.didSend(StreamManagement.answer(h: 0))
        #expect(state.sent == 2)
        #expect(state.unacknowledged == [message(1), Stanza.presence()])
    }

    @Test("acks release the acknowledged prefix of the queue")
    func acksReleaseQueue() throws {
        var state = StreamManagementState()
        for n in 1...5 { state.didSend(message(n)) }
        #expect(try state.didReceiveAck(h: 2) == [message(1), message(2)])
        #expect(state.unacknowledged == [message(3), message(4), message(5)])
        #expect(try state.didReceiveAck(h: 2).isEmpty)
        #expect(try state.didReceiveAck(h: 5) == [message(3), message(4), message(5)])
        #expect(state.unacknowledged.isEmpty)
        #expect(state.acknowledged == 5)
    }

    @Test("an ack for more than was sent is handled-count-too-high and changes nothing")
    func ackTooHighThrows() throws {
        var state = StreamManagementState()
        state.didSend(message(1))
        #expect(throws: StreamManagementError.handledCountTooHigh(h: 2, sent: 1)) { try state.didReceiveAck(h: 2) }
        #expect(state.unacknowledged.count == 1)
        #expect(state.acknowledged == 0)
    }

    @Test("outbound counters wrap around at 2^32")
    func outboundCounterWraps() throws {
        var state = StreamManagementState(handled: 0, sent: UInt32.max - 1, unacknowledged: [])
        #expect(state.acknowledged == UInt32.max - 1)
        for n in 1...4 { state.didSend(message(n)) }
        #expect(state.sent == 2)
        #expect(try state.didReceiveAck(h: UInt32.max) == [message(1)])
        #expect(try state.didReceiveAck(h: 0) == [message(2)])
        #expect(try state.didReceiveAck(h: 2) == [message(3), message(4)])
        #expect(throws: StreamManagementError.self) { try state.didReceiveAck(h: 3) }
        #expect(throws: StreamManagementError.self) { try state.didReceiveAck(h: UInt32.max) }
    }

    @Test("the inbound counter wraps around at 2^32 and answers <r/>")
    func inboundCounterWraps() {
        var state = StreamManagementState(handled: UInt32.max, sent: 0, unacknowledged: [])
        state.didHandleInboundStanza()
        #expect(state.handled == 0)
        state.didHandleInboundStanza()
        #expect(state.answer == StreamManagement.answer(h: 1))
    }

    @Test("resumption acknowledges and returns the rest to resend without recounting")
    func resumptionReturnsRest() throws {
        var state = StreamManagementState()
        for n in 1...4 { state.didSend(message(n)) }
        let resend = try state.didResume(h: 1)
        #expect(resend == [message(2), message(3), message(4)])
        #expect(state.sent == 4)
        #expect(try state.didReceiveAck(h: 4).count == 3)
    }

    @Test("a new session hands back the queue and resets every counter")
    func newSessionResets() {
        var state = StreamManagementState()
        for n in 1...3 { state.didSend(message(n)) }
        state.didHandleInboundStanza()
        let pending = state.startNewSession()
        #expect(pending == [message(1), message(2), message(3)])
        #expect(state == StreamManagementState())
    }

    @Test("counting the transcript's stanzas gives the h a server expects")
    func transcriptCounting() {
        var state = StreamManagementState()
        var answers: [XMLElement] = []
        var enabled = false
        for element in stanzas(parse(Transcripts.prosodySession)) {
            if case .enabled? = StreamManagementNonza(element: element) {
                enabled = true
            } else if enabled, Stanza.isStanza(element) {
                state.didHandleInboundStanza()
            } else if StreamManagementNonza(element: element) == .request {
                answers.append(state.answer)
            }
        }
        #expect(answers == [StreamManagement.answer(h: 5)])
        #expect(state.handled == 9)
    }
}
