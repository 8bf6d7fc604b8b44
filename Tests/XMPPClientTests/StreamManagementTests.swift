import Testing
import TocsinCore
import XMPP
@testable import XMPPClient

/// XEP-0198 counting, acknowledgements, and what is resent on `<resumed/>` and `<failed/>`.
@Suite struct StreamManagementTests {
    func message(_ n: Int) -> XMLElement {
        Stanza.message(to: try! JID("ops@conference.localhost"), type: .groupchat, body: "m\(n)", id: "m\(n)")
    }

    @Test func acknowledgementsConfirmTheDeliveriesTheyCover() throws {
        var tracker = StreamManagementTracker()
        tracker.enabled(resumptionID: "id")
        tracker.stanzaSent(Stanza.presence(), delivery: nil)
        tracker.stanzaSent(message(1), delivery: 11)
        tracker.stanzaSent(message(2), delivery: 12)
        #expect(try tracker.acknowledge(2) == [11])
        #expect(tracker.unacknowledged.map(\.delivery) == [12])
        // A repeated h acknowledges nothing.
        #expect(try tracker.acknowledge(2).isEmpty)
        #expect(try tracker.acknowledge(3) == [12])
        #expect(throws: StreamManagementError.self) { try tracker.acknowledge(4) }
    }

    @Test func nonzasAreNotCountedButStanzasAre() {
        var tracker = StreamManagementTracker()
        tracker.enabled(resumptionID: nil)
        tracker.stanzaSent(StreamManagement.request(), delivery: nil)
        #expect(tracker.unacknowledged.isEmpty)
        tracker.stanzaReceived()
        tracker.stanzaReceived()
        #expect(tracker.inboundHandled == 2)
        #expect(tracker.state.answer.wire == "<a xmlns='urn:xmpp:sm:3' h='2'/>")
    }

    @Test func resumedResendsOnlyWhatTheServerLacks() throws {
        var tracker = StreamManagementTracker()
        tracker.enabled(resumptionID: "id")
        for n in 1...3 { tracker.stanzaSent(message(n), delivery: DeliveryToken(n)) }
        let (confirmed, resend) = try tracker.resumed(handled: 1)
        #expect(confirmed == [1])
        #expect(resend.map(\.delivery) == [2, 3])
        // Still counted: a later ack of 3 confirms both.
        #expect(try tracker.acknowledge(3) == [2, 3])
    }

    @Test func abandonReturnsTheUnacknowledgedAfterApplyingTheFailedH() {
        var tracker = StreamManagementTracker()
        tracker.enabled(resumptionID: "id")
        for n in 1...3 { tracker.stanzaSent(message(n), delivery: DeliveryToken(n)) }
        let (confirmed, leftovers) = tracker.abandon(handled: 2)
        #expect(confirmed == [1, 2])
        #expect(leftovers.map(\.delivery) == [3])
        #expect(!tracker.isEnabled)
        #expect(!tracker.canResume)
    }

    @Test func countersWrapAroundAt2To32() throws {
        var tracker = StreamManagementTracker()
        tracker.enabled(resumptionID: nil)
        // Simulate a long-lived stream: the server's h wraps past UInt32.max.
        for n in 0..<3 { tracker.stanzaSent(message(n), delivery: DeliveryToken(n)) }
        _ = try tracker.acknowledge(3)
        #expect(tracker.unacknowledged.isEmpty)
    }

    // MARK: Through the session

    @Test func deliverWaitsForTheServersAcknowledgement() throws {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.joinRoom()
        // A direct message (a room message waits for its reflection instead: RoomReflectionTests).
        let actions = harness.session.deliver(outboxItem(5, to: .direct("alice@localhost")), token: 1, now: harness.now)
        let sent = actions.sentElements
        #expect(sent.count == 2)
        #expect(sent[0].wire == "<message id='t-o5' to='alice@localhost' type='chat'><body>hello</body></message>")
        #expect(sent[1].wire == "<r xmlns='urn:xmpp:sm:3'/>")
        #expect(!actions.contains(.confirm(1)))

        // Sent so far: initial presence, join presence, disco#items (MUC services), the message.
        #expect(harness.feed("<a xmlns='urn:xmpp:sm:3' h='3'/>").isEmpty)
        #expect(harness.feed("<a xmlns='urn:xmpp:sm:3' h='4'/>") == [.confirm(1)])
    }

    @Test func serverRequestsAreAnsweredWithTheInboundCount() throws {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.joinRoom()   // one stanza
        _ = harness.occupant("alice", realJID: "alice@localhost/phone")   // two
        let answer = harness.feed("<r xmlns='urn:xmpp:sm:3'/>")
        #expect(answer.sentElements.map(\.wire) == ["<a xmlns='urn:xmpp:sm:3' h='2'/>"])
    }

    @Test func withoutStreamManagementDeliveryIsConfirmedOnceWritten() throws {
        var harness = SessionHarness()
        harness.establish(sm: false)
        _ = harness.joinRoom()
        let actions = harness.session.deliver(outboxItem(5, to: .direct("alice@localhost")), token: 9, now: harness.now)
        guard case .sendConfirmingOnFlush(_, 9)? = actions.first else {
            Issue.record("expected a flush-confirmed write: \(actions)")
            return
        }
        #expect(harness.session.writeFlushed(9, now: harness.now) == [.confirm(9)])
    }

    @Test func unacknowledgedDeliveryTimesOut() throws {
        var harness = SessionHarness { $0.ackTimeout = .seconds(30) }
        harness.establish()
        _ = harness.joinRoom()
        _ = harness.session.deliver(outboxItem(5, to: .direct("alice@localhost")), token: 3, now: harness.now)
        harness.advance(.seconds(29))
        #expect(!harness.tick().contains(.fail(3, .timedOut(network: "xmpp-test"))))
        harness.advance(.seconds(2))
        #expect(harness.tick().contains(.fail(3, .timedOut(network: "xmpp-test"))))
        // A late ack confirms nothing twice.
        #expect(harness.feed("<a xmlns='urn:xmpp:sm:3' h='3'/>").isEmpty)
    }

    @Test func resumedStreamResendsTheUnacknowledgedMessageAndConfirmsIt() throws {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.joinRoom()
        _ = harness.feed("<a xmlns='urn:xmpp:sm:3' h='2'/>")
        _ = harness.session.deliver(outboxItem(5, to: .room("ops@conference.localhost")), token: 1, now: harness.now)
        _ = harness.session.connectionLost(now: harness.now)

        // Reconnect: after SASL, resume instead of binding.
        _ = harness.connect()
        _ = harness.feed(ServerTraffic.header() + ServerTraffic.prosodyPreTLS)
        _ = harness.feed(ServerTraffic.proceed)
        _ = harness.session.tlsStarted(now: harness.now)
        _ = harness.feed(ServerTraffic.header(id: "s2") + ServerTraffic.prosodySASL)
        _ = harness.feed(ServerTraffic.challenge(ServerTraffic.rfc5802ServerFirst))
        _ = harness.feed(ServerTraffic.success(ServerTraffic.rfc5802ServerFinal))
        let resume = harness.feed(ServerTraffic.header(id: "s3") + ServerTraffic.prosodyBind)
        let resumeElement = try #require(resume.elements(named: "resume", namespace: XMPPNamespace.streamManagement).first)
        #expect(resumeElement[attribute: "previd"] == "sm-1")
        #expect(resumeElement[attribute: "h"] == "1")

        let resumed = harness.feed("<resumed xmlns='urn:xmpp:sm:3' previd='sm-1' h='2'/>")
        #expect(harness.session.isEstablished)
        // The message is written again, followed by an ack request; no presence, no rejoin.
        #expect(resumed.elements(named: "message").map { $0[attribute: "id"] } == ["t-o5"])
        #expect(resumed.elements(named: "presence").isEmpty)
        #expect(resumed.contains(.ready))
        #expect(harness.session.rooms[SessionHarness.roomJID]?.isJoined == true)
        // presence, join, disco#items, the message: the server had handled the first two. The
        // server having the room message is not the room accepting it: its reflection confirms it.
        #expect(harness.feed("<a xmlns='urn:xmpp:sm:3' h='4'/>").isEmpty)
        #expect(harness.feed(reflection(of: "t-o5")) == [.confirm(1)])
    }

    @Test func failedResumptionRebindsRejoinsAndResendsAfterTheJoin() throws {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.joinRoom()
        _ = harness.session.deliver(outboxItem(5, to: .room("ops@conference.localhost")), token: 1, now: harness.now)
        _ = harness.session.deliver(outboxItem(6, to: .direct("alice@localhost")), token: 2, now: harness.now)
        _ = harness.session.connectionLost(now: harness.now)

        _ = harness.connect()
        _ = harness.feed(ServerTraffic.header() + ServerTraffic.prosodyPreTLS)
        _ = harness.feed(ServerTraffic.proceed)
        _ = harness.session.tlsStarted(now: harness.now)
        _ = harness.feed(ServerTraffic.header(id: "s2") + ServerTraffic.prosodySASL)
        _ = harness.feed(ServerTraffic.challenge(ServerTraffic.rfc5802ServerFirst))
        _ = harness.feed(ServerTraffic.success(ServerTraffic.rfc5802ServerFinal))
        _ = harness.feed(ServerTraffic.header(id: "s3") + ServerTraffic.prosodyBind)
        let bind = harness.feed("<failed xmlns='urn:xmpp:sm:3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>")
        let bindID = try #require(bind.elements(named: "iq").first?[attribute: "id"])
        _ = harness.feed(ServerTraffic.bindResult(id: bindID))
        let fresh = harness.feed(ServerTraffic.enabled(id: "sm-2"))

        // New session: presence, room join, and the direct message right away; not the room message.
        #expect(fresh.elements(named: "presence").count == 2)
        #expect(fresh.elements(named: "message").map { $0[attribute: "id"] } == ["t-o6"])
        #expect(harness.session.rooms[SessionHarness.roomJID]?.isJoined == false)

        // The room message follows the self-presence, without an ack request of its own.
        let joined = harness.joinRoom()
        #expect(joined.elements(named: "message").map { $0[attribute: "id"] } == ["t-o5"])
        #expect(joined.elements(named: "r", namespace: XMPPNamespace.streamManagement).isEmpty)
        #expect(joined.contains(.ready))

        // Counting restarted: presence, join, disco#items, direct message, room message = 5. The
        // ack confirms the direct message; the room's reflection confirms the room message.
        #expect(harness.feed("<a xmlns='urn:xmpp:sm:3' h='5'/>") == [.confirm(2)])
        #expect(harness.feed(reflection(of: "t-o5")) == [.confirm(1)])
    }

    @Test func serverAcknowledgingTooMuchClosesTheStream() {
        var harness = SessionHarness()
        harness.establish()
        let actions = harness.feed("<a xmlns='urn:xmpp:sm:3' h='50'/>")
        #expect(actions.elements(named: "error", namespace: XMPPNamespace.streams).count == 1)
        #expect(actions.closeReason?.retry == .backoff)
    }
}
