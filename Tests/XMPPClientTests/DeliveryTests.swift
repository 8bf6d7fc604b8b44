import Testing
import TocsinCore
import XMPP
@testable import XMPPClient

/// Outbound messages: addressing, rendering, replies, refusals.
@Suite struct DeliveryTests {
    @Test func directMessagesAreChatTypeAndStyled() throws {
        var harness = SessionHarness(rooms: [])
        harness.establish()
        let text = RichText(lines: [[.tone(.critical, "[TRIGGERED]"), .plain(" "), .bold("#42"), .plain(" disk <full> & \"hot\"")]])
        let message = try #require(harness.session.deliver(outboxItem(7, to: .direct("alice@localhost"), text: text), token: 1, now: harness.now).elements(named: "message").first)
        #expect(message.wire == "<message id='t-o7' to='alice@localhost' type='chat'><body>*[TRIGGERED]* *#42* disk &lt;full&gt; &amp; &quot;hot&quot;</body></message>")
    }

    @Test func replyReferencesTheMessageAndItsAuthor() throws {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.joinRoom()
        _ = harness.feed("<message from='ops@conference.localhost/alice' type='groupchat' id='abc'><body>!ack 1</body></message>")
        let message = try #require(harness.session.deliver(outboxItem(8, to: .room("ops@conference.localhost"), inReplyTo: "abc"), token: 1, now: harness.now).elements(named: "message").first)
        let reply = try #require(message.firstChild(named: "reply", namespace: "urn:xmpp:reply:0"))
        #expect(reply[attribute: "id"] == "abc")
        #expect(reply[attribute: "to"] == "ops@conference.localhost/alice")
    }

    @Test func notConnectedAndNotInRoomAreReported() {
        var harness = SessionHarness()
        #expect(harness.session.deliver(outboxItem(1, to: .direct("a@localhost")), token: 1, now: harness.now) == [.fail(1, .notConnected(network: "xmpp-test"))])
        harness.establish()
        #expect(harness.session.deliver(outboxItem(2, to: .room("ops@conference.localhost")), token: 2, now: harness.now)
            == [.fail(2, .notInRoom(network: "xmpp-test", room: "ops@conference.localhost"))])
        #expect(harness.session.deliver(outboxItem(3, to: .room("other@conference.localhost")), token: 3, now: harness.now)
            == [.fail(3, .notInRoom(network: "xmpp-test", room: "other@conference.localhost"))])
    }

    @Test func roomNamesAreMatchedCaseInsensitively() {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.joinRoom()
        let actions = harness.session.deliver(outboxItem(2, to: .room("OPS@Conference.localhost")), token: 2, now: harness.now)
        #expect(actions.elements(named: "message").first?[attribute: "to"] == "ops@conference.localhost")
    }

    @Test func lostWriteFailsTheDelivery() {
        var harness = SessionHarness(rooms: [])
        harness.establish(sm: false)
        _ = harness.session.deliver(outboxItem(1, to: .direct("a@localhost")), token: 4, now: harness.now)
        #expect(harness.session.writeFailed(4, now: harness.now) == [.fail(4, .notConnected(network: "xmpp-test"))])
    }
}
