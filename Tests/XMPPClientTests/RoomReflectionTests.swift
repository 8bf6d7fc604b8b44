import Testing
import TocsinCore
import XMPP
@testable import XMPPClient

/// The room's copy of our own message, as a MUC service reflects it (XEP-0045 §7.2.3): from the
/// room with our nickname, our origin-id kept (XEP-0359 §5), what Prosody 0.12 and ejabberd send.
func reflection(of id: String, from: String = "ops@conference.localhost/Tocsin", originID: String? = nil, type: String = "groupchat") -> String {
    "<message from='\(from)' to='user@localhost/tocsin' type='\(type)' id='\(id)'><body>hello</body>"
        + "<origin-id xmlns='urn:xmpp:sid:0' id='\(originID ?? id)'/>"
        + "<stanza-id xmlns='urn:xmpp:sid:0' by='ops@conference.localhost' id='srv-1'/></message>"
}

/// Room deliveries are confirmed by the room's reflection of our message, not by an XEP-0198
/// round trip; only the room itself can confirm or refuse one.
@Suite struct RoomReflectionTests {
    static let otherRoom = try! JID("other@conference.localhost")

    func joinedHarness(rooms: [XMPPClientConfiguration.Room] = [.init(jid: SessionHarness.roomJID)], sm: Bool = true) -> SessionHarness {
        var harness = SessionHarness(rooms: rooms)
        harness.establish(sm: sm)
        for room in rooms { _ = harness.joinRoom(room.jid) }
        return harness
    }

    @Test func roomMessageCarriesAnOriginIDAndNoAckRequest() throws {
        var harness = joinedHarness()
        let actions = harness.session.deliver(outboxItem(5, to: .room("ops@conference.localhost")), token: 1, now: harness.now)
        #expect(actions.sentElements.map(\.wire) == [
            "<message id='t-o5' to='ops@conference.localhost' type='groupchat'><body>hello</body><origin-id xmlns='urn:xmpp:sid:0' id='t-o5'/></message>",
        ])
        #expect(!actions.contains(.confirm(1)))
    }

    @Test func roomDeliveryIsConfirmedByItsReflectionNotByTheServersAck() {
        var harness = joinedHarness()
        _ = harness.session.deliver(outboxItem(5, to: .room("ops@conference.localhost")), token: 1, now: harness.now)
        // presence, join, disco#items, the message: the server has it, the room has not said so.
        #expect(harness.feed("<a xmlns='urn:xmpp:sm:3' h='4'/>").isEmpty)
        #expect(harness.feed(reflection(of: "t-o5")) == [.confirm(1)])
        // Once only: a second copy confirms nothing.
        #expect(harness.feed(reflection(of: "t-o5")).isEmpty)
    }

    @Test func reflectionIsMatchedByOriginIDEvenWhenTheRoomRewritesTheID() {
        var harness = joinedHarness()
        _ = harness.session.deliver(outboxItem(5, to: .room("ops@conference.localhost")), token: 1, now: harness.now)
        // Without our origin-id the copy proves nothing, whatever its id.
        #expect(harness.feed("<message from='ops@conference.localhost/Tocsin' type='groupchat' id='t-o5'><body>hello</body></message>").isEmpty)
        #expect(harness.feed(reflection(of: "room-assigned-7", originID: "t-o5")) == [.confirm(1)])
    }

    @Test func forgedReflectionFromAnotherOccupantDoesNotConfirm() {
        var harness = joinedHarness()
        _ = harness.occupant("mallory", realJID: "mallory@localhost/x")
        _ = harness.session.deliver(outboxItem(5, to: .room("ops@conference.localhost")), token: 1, now: harness.now)
        // Mallory saw our ids in the room and sends a look-alike under her own nickname.
        #expect(!harness.feed(reflection(of: "t-o5", from: "ops@conference.localhost/mallory")).contains(.confirm(1)))
        // Or from her own account, as a "groupchat" or a private message.
        #expect(!harness.feed(reflection(of: "t-o5", from: "mallory@localhost/x")).contains(.confirm(1)))
        #expect(!harness.feed(reflection(of: "t-o5", from: "ops@conference.localhost/mallory", type: "chat")).contains(.confirm(1)))
        // The room's bare JID is not our occupant JID either.
        #expect(!harness.feed(reflection(of: "t-o5", from: "ops@conference.localhost")).contains(.confirm(1)))
        // The real one still confirms.
        #expect(harness.feed(reflection(of: "t-o5")) == [.confirm(1)])
    }

    @Test func reflectionFromAnotherRoomDoesNotConfirm() {
        var harness = joinedHarness(rooms: [.init(jid: SessionHarness.roomJID), .init(jid: Self.otherRoom)])
        _ = harness.session.deliver(outboxItem(5, to: .room("ops@conference.localhost")), token: 1, now: harness.now)
        // Our own nickname in another room we are in, with the origin-id copied into a message there.
        #expect(!harness.feed(reflection(of: "t-o5", from: "other@conference.localhost/Tocsin")).contains(.confirm(1)))
        #expect(harness.feed(reflection(of: "t-o5")) == [.confirm(1)])
    }

    @Test func errorBounceFromTheRoomFailsTheDelivery() {
        var harness = joinedHarness()
        _ = harness.session.deliver(outboxItem(5, to: .room("ops@conference.localhost")), token: 1, now: harness.now)
        let bounce = """
            <message from='ops@conference.localhost' to='user@localhost/tocsin' type='error' id='t-o5'>\
            <error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>
            """
        let actions = harness.feed(bounce)
        #expect(actions.contains(.fail(1, .notInRoom(network: "xmpp-test", room: "ops@conference.localhost"))))
        #expect(!actions.contains(.confirm(1)))
        // Nothing is left to confirm or to time out.
        #expect(harness.feed(reflection(of: "t-o5")).isEmpty)
        harness.advance(.seconds(60))
        #expect(!harness.tick().contains(.fail(1, .timedOut(network: "xmpp-test"))))
    }

    @Test func errorBounceFromAnOccupantDoesNotFailTheDelivery() {
        var harness = joinedHarness()
        _ = harness.occupant("mallory", realJID: "mallory@localhost/x")
        _ = harness.session.deliver(outboxItem(5, to: .room("ops@conference.localhost")), token: 1, now: harness.now)
        let forged = """
            <message from='ops@conference.localhost/mallory' to='user@localhost/tocsin' type='error' id='t-o5'>\
            <error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>
            """
        #expect(!harness.feed(forged).contains(.fail(1, .notInRoom(network: "xmpp-test", room: "ops@conference.localhost"))))
        #expect(harness.feed(reflection(of: "t-o5")) == [.confirm(1)])
    }

    @Test func reflectionThatNeverComesTimesOut() {
        var harness = SessionHarness { $0.ackTimeout = .seconds(30) }
        harness.establish()
        _ = harness.joinRoom()
        _ = harness.session.deliver(outboxItem(5, to: .room("ops@conference.localhost")), token: 1, now: harness.now)
        _ = harness.feed("<a xmlns='urn:xmpp:sm:3' h='4'/>")
        harness.advance(.seconds(29))
        #expect(!harness.tick().contains(.fail(1, .timedOut(network: "xmpp-test"))))
        harness.advance(.seconds(2))
        #expect(harness.tick().contains(.fail(1, .timedOut(network: "xmpp-test"))))
        // A late reflection confirms nothing.
        #expect(harness.feed(reflection(of: "t-o5")).isEmpty)
    }

    @Test func withoutStreamManagementARoomMessageStillWaitsForItsReflection() {
        var harness = joinedHarness(sm: false)
        let actions = harness.session.deliver(outboxItem(5, to: .room("ops@conference.localhost")), token: 1, now: harness.now)
        #expect(actions.elements(named: "message").count == 1)
        let confirmedOnWrite = actions.contains { if case .sendConfirmingOnFlush = $0 { true } else { false } }
        #expect(!confirmedOnWrite, "a room message must not be confirmed by its write")
        #expect(harness.feed(reflection(of: "t-o5")) == [.confirm(1)])
    }

    // MARK: The ack request rate

    @Test func roomMessagesArmNoTimerAndTheServerPingAsksForThem() {
        var harness = joinedHarness()
        let before = harness.session.nextDeadline
        var sent: [XMPPSession.Action] = []
        for n in 1...3 {
            sent += harness.session.deliver(outboxItem(Int64(n), to: .room("ops@conference.localhost")), token: DeliveryToken(n), now: harness.now)
        }
        #expect(sent.elements(named: "r", namespace: XMPPNamespace.streamManagement).isEmpty)
        // No deadline of their own (an idle connection stays idle): the delivery timeouts only.
        #expect(harness.session.nextDeadline == before)
        // The server ping (pingInterval) carries an <r/>; its answer trims the queue, confirms no room message.
        harness.advance(.seconds(60))
        #expect(harness.tick().elements(named: "r", namespace: XMPPNamespace.streamManagement).count == 1)
        // presence, join, disco#items, 3 messages, the ping.
        #expect(harness.feed("<a xmlns='urn:xmpp:sm:3' h='7'/>").isEmpty)
        #expect(harness.session.streamManagement.unacknowledged.isEmpty)
    }

    @Test func aBurstAsksOnceWhenTheQueueReachesTheThresholdThenWaitsForTheAnswer() {
        var harness = joinedHarness()
        // Sent so far: presence, join, disco#items (3 unacknowledged).
        var requests: [Int] = []
        for n in 1...(XMPPSession.ackRequestThreshold + 4) {
            let actions = harness.session.deliver(outboxItem(Int64(n), to: .room("ops@conference.localhost")), token: DeliveryToken(n), now: harness.now)
            if !actions.elements(named: "r", namespace: XMPPNamespace.streamManagement).isEmpty { requests.append(n) }
        }
        #expect(requests == [XMPPSession.ackRequestThreshold - 3])
        // 3 + threshold + 4 sent; h='8' leaves threshold - 1 waiting.
        _ = harness.feed("<a xmlns='urn:xmpp:sm:3' h='8'/>")
        // Answered: the next message over the threshold asks again.
        let last = Int64(XMPPSession.ackRequestThreshold + 5)
        let next = harness.session.deliver(outboxItem(last, to: .room("ops@conference.localhost")), token: DeliveryToken(last), now: harness.now)
        #expect(next.elements(named: "r", namespace: XMPPNamespace.streamManagement).count == 1)
    }

    @Test func directMessagesStillAskForAnAckEachAndAreConfirmedByIt() {
        var harness = joinedHarness()
        let actions = harness.session.deliver(outboxItem(5, to: .direct("alice@localhost")), token: 1, now: harness.now)
        #expect(actions.elements(named: "r", namespace: XMPPNamespace.streamManagement).count == 1)
        #expect(actions.elements(named: "message").first?.firstChild(named: "origin-id", namespace: XMPPNamespace.stanzaID) == nil)
        #expect(harness.feed("<a xmlns='urn:xmpp:sm:3' h='4'/>") == [.confirm(1)])
    }
}
