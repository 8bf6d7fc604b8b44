import Testing
import TocsinCore
@testable import XMPPClient

/// Issue 11, item 4: the XMPP connection wakes only at the session's deadlines (no 1 s tick), so
/// an established, idle session must name a deadline ≥ 25 s away — and again after that wake.
@Suite("Idle when idle: XMPP deadlines")
struct XMPPIdleDeadlineTests {
    @Test func anEstablishedIdleSessionSleepsUntilItsKeepalive() {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.joinRoom()
        let deadline = harness.session.nextDeadline
        #expect(deadline != nil)
        #expect(deadline.map { $0 - harness.now >= .seconds(25) } == true)

        // Waking at it does its work (whitespace keepalive or ping) and names a later deadline.
        harness.advance(deadline! - harness.now)
        let actions = harness.tick()
        let wrote = actions.contains { $0.isWrite }
        #expect(wrote)
        let next = harness.session.nextDeadline
        #expect(next.map { $0 - harness.now >= .seconds(25) } == true)
    }

    @Test func aPendingDeliveryNamesItsTimeout() {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.joinRoom()
        let item = OutboxItem(id: 1, message: OutboxMessage(
            destination: .room(SessionHarness.roomJID.description, on: "xmpp-test"), text: RichText(plain: "hi"), priority: .normal),
            createdAt: .init())
        _ = harness.session.deliver(item, token: 7, now: harness.now)
        let deadline = harness.session.nextDeadline
        #expect(deadline.map { $0 <= harness.now + harness.session.configuration.ackTimeout } == true)
    }
}
