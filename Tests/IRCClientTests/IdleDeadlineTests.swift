import IRC
import Testing
import TocsinCore
@testable import IRCClient

/// Issue 11, item 4: the connection wakes only at the machine's deadlines, so an idle session
/// must name deadlines that are far apart (keepalive ≥ 30 s), never "now" again and again.
@Suite("Idle when idle: IRC deadlines")
struct IRCIdleDeadlineTests {
    @Test func aReadyIdleSessionSleepsUntilItsKeepalive() {
        var s = Session(config())
        _ = s.tick()  // whatever registration queued is out
        let deadline = s.machine.nextDeadline(after: s.clock.now)
        #expect(deadline != nil)
        #expect(deadline.map { $0 - s.clock.now >= .seconds(30) } == true)
    }

    @Test func tenIdleMinutesWithAnsweredPingsTakeAHandfulOfWakeUps() {
        var s = Session(config())
        _ = s.tick()
        let end = s.clock.now + .seconds(600)
        var wakeUps = 0
        while let deadline = s.machine.nextDeadline(after: s.clock.now), deadline <= end {
            #expect(deadline > s.clock.now, "a deadline in the past would make the connection spin")
            wakeUps += 1
            s.clock.advance(max(deadline - s.clock.now, .milliseconds(1)))
            let actions = s.machine.tick(now: s.clock.now)
            if actions.written.contains(where: { $0.hasPrefix("PING") }) {
                _ = s.receive(":irc.example.org PONG irc.example.org :tocsin")
            }
            #expect(!s.machine.isClosed)
            if wakeUps > 100 { break }
        }
        // One PING per 90 s of silence: about 7 wake-ups in 10 minutes, not 6000 (a 100 ms tick).
        #expect(wakeUps >= 5 && wakeUps <= 10, "woke \(wakeUps) times")
    }

    @Test func queuedLinesNameTheFloodReleaseAsTheDeadline() {
        var s = Session(config(flood: .init(burst: 1, interval: .seconds(2))))
        _ = s.tick(after: .seconds(5))
        for (id, text) in [(1, "one"), (2, "two")] {
            let message = OutboxMessage(destination: .room("#ops", on: "libera"), text: RichText(plain: text), priority: .normal)
            _ = s.deliver(message, id: UInt64(id))
        }
        let deadline = s.machine.nextDeadline(after: s.clock.now)
        #expect(deadline.map { $0 - s.clock.now <= .seconds(2) } == true)
    }
}

/// Issue 11, item 3: the outgoing queue is capped; a delivery that does not fit is refused whole
/// (failed, so the outbox retries it), never sent in part.
@Suite("Outgoing queue cap in the machine")
struct IRCOutgoingCapTests {
    @Test func aDeliveryBeyondTheQueueCapIsFailedWholeAndNothingOfItIsQueued() {
        var s = Session(config(flood: .init(burst: 1, interval: .seconds(60))))
        _ = s.tick(after: .seconds(1))
        let text = (0..<200).map { "line \($0)" }.joined(separator: "\n")
        var refused = 0
        // A delivery renders to a few lines at most: 400 of them overflow the 1,024-line cap.
        for id in 1...400 {
            let before = s.machine.queuedLineCount
            let message = OutboxMessage(destination: .room("#ops", on: "libera"), text: RichText(plain: text), priority: .normal)
            let actions = s.deliver(message, id: UInt64(id))
            if actions.contains(where: { if case .failDelivery(DeliveryID(UInt64(id)), _) = $0 { true } else { false } }) {
                refused += 1
                #expect(s.machine.queuedLineCount == before, "a refused delivery queues nothing")
            }
        }
        #expect(refused > 0)
        #expect(s.machine.queuedLineCount <= 1024 + 8)
    }
}
