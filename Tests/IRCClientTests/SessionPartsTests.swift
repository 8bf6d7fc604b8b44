import Foundation
import IRC
import Testing
import TocsinCore
@testable import IRCClient

/// The parts ``IRCClientStateMachine`` is composed of, each driven event by event on a virtual
/// timeline.

@Suite("Session part: liveness")
struct LivenessTests {
    let t0 = ContinuousClock.now

    @Test func onePingAfterTheIntervalThenDeadAfterTheLimit() {
        var liveness = IRCLiveness(pingInterval: .seconds(90), deadAfter: .seconds(240), now: t0)
        #expect(liveness.nextDeadline == t0 + .seconds(90))
        #expect(liveness.check(now: t0 + .seconds(89)) == .alive)
        #expect(liveness.check(now: t0 + .seconds(90)) == .sendPing)
        // Only one ping per silence; the next deadline is the dead-link limit.
        #expect(liveness.check(now: t0 + .seconds(200)) == .alive)
        #expect(liveness.nextDeadline == t0 + .seconds(240))
        #expect(liveness.check(now: t0 + .seconds(240)) == .dead(silence: .seconds(240)))
    }

    @Test func anyLineResetsBothTimers() {
        var liveness = IRCLiveness(pingInterval: .seconds(90), deadAfter: .seconds(240), now: t0)
        #expect(liveness.check(now: t0 + .seconds(100)) == .sendPing)
        liveness.received(at: t0 + .seconds(101))
        #expect(liveness.nextDeadline == t0 + .seconds(191))
        #expect(liveness.check(now: t0 + .seconds(190)) == .alive)
        #expect(liveness.check(now: t0 + .seconds(191)) == .sendPing)
    }
}

@Suite("Session part: nick regain")
struct NickRegainTests {
    let t0 = ContinuousClock.now

    @Test func nothingToDoWhenRegisteredUnderTheWantedNick() {
        let regain = IRCNickRegain(wanted: "tocsin", interval: .seconds(60), registeredAs: "TOCSIN", caseMapping: .rfc1459, now: t0)
        #expect(regain.state == .holdingWantedNick)
        #expect(regain.nextDeadline == nil)
        #expect(!regain.isDue(now: t0 + .seconds(3600)))
    }

    @Test func periodicAttemptsUntilTheServerGivesTheNickBack() {
        var regain = IRCNickRegain(wanted: "tocsin", interval: .seconds(60), registeredAs: "tocsin_1", caseMapping: .rfc1459, now: t0)
        #expect(regain.nextDeadline == t0 + .seconds(60))
        #expect(!regain.isDue(now: t0 + .seconds(59)))
        #expect(regain.isDue(now: t0 + .seconds(60)))
        let result1 = regain.attempt(currentNick: "tocsin_1", caseMapping: .rfc1459, now: t0 + .seconds(60))
        #expect(result1)
        #expect(regain.nextDeadline == t0 + .seconds(120))
        let result2 = regain.renamed(to: "other", caseMapping: .rfc1459)
        #expect(!result2)
        let result3 = regain.renamed(to: "Tocsin", caseMapping: .rfc1459)
        #expect(result3)
        #expect(regain.state == .holdingWantedNick)
    }

    @Test func anAttemptWhileHoldingTheNickStopsTrying() {
        var regain = IRCNickRegain(wanted: "tocsin", interval: .seconds(60), registeredAs: "tocsin_1", caseMapping: .rfc1459, now: t0)
        let result4 = regain.attempt(currentNick: "tocsin", caseMapping: .rfc1459, now: t0)
        #expect(!result4)
        #expect(regain.nextDeadline == nil)
    }
}

@Suite("Session part: CTCP responder")
struct CTCPResponderTests {
    let responder = IRCCTCPResponder(maxQueuedReplies: 2, wallClock: { Date(timeIntervalSince1970: 1_700_000_000) })

    @Test func versionPingAndTimeAreAnsweredByNotice() {
        #expect(responder.answer("VERSION", argument: nil, from: "alice", queuedReplies: 0)
            == .reply(IRCMessage(command: "NOTICE", parameters: ["alice", "\u{1}VERSION Tocsin incident gateway\u{1}"])))
        #expect(responder.answer("PING", argument: "42", from: "alice", queuedReplies: 0)
            == .reply(IRCMessage(command: "NOTICE", parameters: ["alice", "\u{1}PING 42\u{1}"])))
        #expect(responder.answer("TIME", argument: nil, from: "alice", queuedReplies: 1)
            == .reply(IRCMessage(command: "NOTICE", parameters: ["alice", "\u{1}TIME 2023-11-14T22:13:20Z\u{1}"])))
    }

    @Test func actionAndUnknownQueriesGetNothing() {
        #expect(responder.answer("ACTION", argument: "waves", from: "alice", queuedReplies: 0) == .nothing)
        #expect(responder.answer("CLIENTINFO", argument: nil, from: "alice", queuedReplies: 0) == .nothing)
    }

    @Test func aFloodIsCappedByTheQueuedAnswers() {
        #expect(responder.answer("VERSION", argument: nil, from: "mallory", queuedReplies: 2) == .tooManyQueued)
    }

    @Test func timeIsISO8601InUTC() {
        #expect(IRCCTCPResponder.time(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(IRCCTCPResponder.time(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }
}

@Suite("Session part: delivery tracker")
struct DeliveryTrackerTests {
    let t0 = ContinuousClock.now
    let one = DeliveryID(1)
    let two = DeliveryID(2)

    func echo(_ text: String, to target: String = "#ops", label: String? = nil, delivery: DeliveryID?, deadline: Duration = .seconds(30)) -> IRCDeliveryTracker.EchoExpectation {
        .init(command: "PRIVMSG", foldedTarget: target, text: text, label: label, delivery: delivery, deadline: t0 + deadline)
    }

    @Test func withoutEchoTheWriteConfirms() {
        var tracker = IRCDeliveryTracker()
        tracker.started(one, target: "#ops", awaitsEcho: false)
        #expect(tracker.writeCompleted(one, success: true) == .confirmed)
        #expect(tracker.writeCompleted(one, success: true) == .unknown)
        #expect(tracker.isEmpty)
    }

    @Test func withEchoTheWriteWaitsAndTheEchoConfirms() {
        var tracker = IRCDeliveryTracker()
        tracker.started(one, target: "#ops", awaitsEcho: true)
        tracker.expectEcho(echo("hi", delivery: one))
        #expect(tracker.writeCompleted(one, success: true) == .awaitingEcho)
        #expect(tracker.echoReceived(command: "PRIVMSG", target: "#ops", text: "hi", label: nil) == one)
        #expect(tracker.isEmpty)
    }

    @Test func aFailedWriteFailsAndForgetsTheEcho() {
        var tracker = IRCDeliveryTracker()
        tracker.started(one, target: "#ops", awaitsEcho: true)
        tracker.expectEcho(echo("hi", delivery: one))
        #expect(tracker.writeCompleted(one, success: false) == .failed)
        #expect(tracker.echoReceived(command: "PRIVMSG", target: "#ops", text: "hi", label: nil) == nil)
        #expect(tracker.isEmpty)
    }

    @Test func labelsMatchExactlyAndUnlabelledEchoesMatchInOrder() {
        var tracker = IRCDeliveryTracker()
        tracker.started(one, target: "#ops", awaitsEcho: true)
        tracker.started(two, target: "#ops", awaitsEcho: true)
        tracker.expectEcho(echo("first line", delivery: nil))
        tracker.expectEcho(echo("last line", delivery: one))
        tracker.expectEcho(echo("other", label: "tocsin2", delivery: two))
        #expect(tracker.echoReceived(command: "PRIVMSG", target: "#ops", text: "whatever", label: "tocsin2") == two)
        // Text altered by the server (colours stripped): the oldest unlabelled line to that target.
        #expect(tracker.echoReceived(command: "PRIVMSG", target: "#ops", text: "FIRST LINE", label: nil) == nil)
        #expect(tracker.echoReceived(command: "PRIVMSG", target: "#ops", text: "last line", label: nil) == one)
    }

    @Test func echoesThatDoNotComeBackExpire() {
        var tracker = IRCDeliveryTracker()
        tracker.started(one, target: "#ops", awaitsEcho: true)
        tracker.expectEcho(echo("hi", delivery: one, deadline: .seconds(30)))
        #expect(tracker.nextDeadline == t0 + .seconds(30))
        #expect(tracker.expire(now: t0 + .seconds(29)).isEmpty)
        #expect(tracker.expire(now: t0 + .seconds(30)) == [one])
        #expect(tracker.nextDeadline == nil)
        #expect(tracker.isEmpty)
    }

    @Test func aKickDropsEveryDeliveryToThatRoomOnly() {
        var tracker = IRCDeliveryTracker()
        tracker.started(two, target: "#ops", awaitsEcho: false)
        tracker.started(one, target: "#ops", awaitsEcho: false)
        tracker.started(DeliveryID(3), target: "#dev", awaitsEcho: false)
        #expect(tracker.dropAll(to: "#ops") == [one, two])
        #expect(tracker.writeCompleted(DeliveryID(3), success: true) == .confirmed)
    }

    @Test func aLabelledRefusalFailsOnlyThatDeliveryAndHoldsTheTarget() {
        var tracker = IRCDeliveryTracker()
        tracker.started(one, target: "#ops", awaitsEcho: true)
        tracker.started(two, target: "#ops", awaitsEcho: true)
        tracker.expectEcho(echo("a", label: "tocsin1", delivery: one))
        tracker.expectEcho(echo("b", label: "tocsin2", delivery: two))
        #expect(tracker.refused(target: "#ops", label: "tocsin2", holdUntil: t0 + .seconds(60)) == [two])
        let result5 = tracker.admits("#ops", now: t0 + .seconds(59))
        #expect(!result5)
        let result6 = tracker.admits("#ops", now: t0 + .seconds(60))
        #expect(result6)
        #expect(tracker.holds.isEmpty)
        #expect(tracker.echoReceived(command: "PRIVMSG", target: "#ops", text: "a", label: "tocsin1") == one)
    }

    @Test func anUnlabelledRefusalFailsEveryDeliveryToTheTarget() {
        var tracker = IRCDeliveryTracker()
        tracker.started(two, target: "alice", awaitsEcho: false)
        tracker.started(one, target: "alice", awaitsEcho: false)
        #expect(tracker.refused(target: "alice", label: nil, holdUntil: nil) == [one, two])
        #expect(tracker.holds.isEmpty)
        let result7 = tracker.admits("alice", now: t0)
        #expect(result7)
    }

    @Test func rejoiningReleasesAHold() {
        var tracker = IRCDeliveryTracker()
        _ = tracker.refused(target: "#ops", label: nil, holdUntil: t0 + .seconds(60))
        tracker.release("#ops")
        let result8 = tracker.admits("#ops", now: t0)
        #expect(result8)
    }

    @Test func closingFailsEverythingInOrder() {
        var tracker = IRCDeliveryTracker()
        tracker.started(two, target: "#ops", awaitsEcho: true)
        tracker.started(one, target: "#dev", awaitsEcho: false)
        tracker.expectEcho(echo("x", delivery: two))
        #expect(tracker.failAll() == [one, two])
        #expect(tracker.isEmpty)
    }
}

@Suite("Session part: phases")
struct SessionPhaseTests {
    let t0 = ContinuousClock.now

    @Test func aSilentServerExpiresBeforeAStuckRegistration() {
        var registering = IRCRegisteringState(connectedAt: t0)
        #expect(registering.nextDeadline(silentServerTimeout: .seconds(30), registrationTimeout: .seconds(90)) == t0 + .seconds(30))
        #expect(registering.expiry(now: t0 + .seconds(29), silentServerTimeout: .seconds(30), registrationTimeout: .seconds(90)) == nil)
        #expect(registering.expiry(now: t0 + .seconds(30), silentServerTimeout: .seconds(30), registrationTimeout: .seconds(90)) == .silentServer)
        registering.received()
        #expect(registering.nextDeadline(silentServerTimeout: .seconds(30), registrationTimeout: .seconds(90)) == t0 + .seconds(90))
        #expect(registering.expiry(now: t0 + .seconds(89), silentServerTimeout: .seconds(30), registrationTimeout: .seconds(90)) == nil)
        #expect(registering.expiry(now: t0 + .seconds(90), silentServerTimeout: .seconds(30), registrationTimeout: .seconds(90)) == .registrationStuck)
    }

    @Test func readyOnceWhenTheLastRoomAnswersOrAtTheDeadline() {
        let regain = IRCNickRegain(wanted: "tocsin", interval: .seconds(60), registeredAs: "tocsin", caseMapping: .rfc1459, now: t0)
        var registered = IRCRegisteredState(readiness: .awaitingRooms(deadline: t0 + .seconds(15)), nickRegain: regain)
        let result9 = registered.roomAnswered(joinsInFlight: true)
        #expect(!result9)
        let result10 = registered.roomAnswered(joinsInFlight: false)
        #expect(result10)
        let result11 = registered.roomAnswered(joinsInFlight: false)
        #expect(!result11)
        #expect(registered.isReady)

        var late = IRCRegisteredState(readiness: .awaitingRooms(deadline: t0 + .seconds(15)), nickRegain: regain)
        let result12 = late.readyDeadlinePassed(now: t0 + .seconds(14))
        #expect(!result12)
        let result13 = late.readyDeadlinePassed(now: t0 + .seconds(15))
        #expect(result13)
        let result14 = late.readyDeadlinePassed(now: t0 + .seconds(16))
        #expect(!result14)
    }

    @Test func theMachineMovesFromRegisteringToRegisteredToClosed() {
        var s = Session(config())
        guard case .registered = s.machine.phase else {
            Issue.record("expected the registered phase, got \(s.machine.phase)")
            return
        }
        _ = s.receive("ERROR :Closing link")
        guard case .closed = s.machine.phase else {
            Issue.record("expected the closed phase, got \(s.machine.phase)")
            return
        }
        #expect(s.machine.nextDeadline(after: s.clock.now) == nil)
        var fresh = IRCClientStateMachine(configuration: config(), now: t0)
        guard case .registering = fresh.phase else {
            Issue.record("expected the registering phase, got \(fresh.phase)")
            return
        }
        _ = fresh.connectionEstablished(now: t0)
        #expect(fresh.nextDeadline(after: t0) == t0 + .seconds(30))  // the silent-server limit
    }
}

@Suite("Session: deadlines instead of ticks")
struct NextDeadlineTests {
    @Test func anIdleRegisteredSessionNextWakesForItsOwnPing() {
        var s = Session(config())
        let start = s.clock.now
        let deadline = s.machine.nextDeadline(after: start)
        #expect(deadline == start + .seconds(90))
        // Nothing happens before it; at it, the PING goes out.
        s.clock.advance(.seconds(89))
        #expect(s.machine.tick(now: s.clock.now).isEmpty)
        s.clock.now = deadline!
        #expect(s.machine.tick(now: s.clock.now).written == ["PING tocsin"])
        // Then the dead-link limit is next.
        #expect(s.machine.nextDeadline(after: s.clock.now) == start + .seconds(240))
    }

    @Test func aDeliveryWaitingForItsEchoBringsTheDeadlineForward() {
        var s = Session(config())
        _ = s.deliver(OutboxMessage(destination: .room("#ops", on: "libera"), text: RichText(plain: "disk full"), priority: .normal))
        #expect(s.machine.nextDeadline(after: s.clock.now) == s.clock.now + .seconds(30))
    }

    @Test func aRoomWaitingToBeRejoinedBringsTheDeadlineForward() {
        var s = Session(config(rejoinAfterKick: .seconds(30)))
        _ = s.receive(":op!o@h KICK #ops tocsin :spam")
        let kickedAt = s.clock.now
        #expect(s.machine.nextDeadline(after: kickedAt) == kickedAt + .seconds(30))
        s.clock.now = kickedAt + .seconds(30)
        #expect(s.machine.tick(now: s.clock.now).written == ["JOIN #ops"])
    }

    @Test func queuedLinesAreDueWhenTheFloodBudgetAllows() {
        var clock = VirtualClock()
        var m = IRCClientStateMachine(configuration: config(flood: .init(burst: 2, interval: .seconds(2))), now: clock.now)
        _ = m.connectionEstablished(now: clock.now)  // CAP LS and NICK go out; USER waits
        #expect(m.nextDeadline(after: clock.now) == clock.now + .seconds(2))
        clock.advance(.seconds(2))
        #expect(m.tick(now: clock.now).written == ["USER tocsin 0 * Tocsin"])
    }

    @Test func theEndOfMOTDTimeoutIsADeadlineOfRegistration() {
        var registration = IRCRegistrationStateMachine(settings: .init(nick: "tocsin", username: "tocsin", realname: "Tocsin"))
        let t0 = ContinuousClock.now
        _ = registration.start()
        #expect(registration.nextDeadline == nil)
        _ = registration.receive(line(":srv 421 * CAP :Unknown command"), now: t0)
        _ = registration.receive(line(":srv 001 tocsin :Welcome"), now: t0)
        #expect(registration.nextDeadline == t0 + .seconds(10))
    }

    @Test func theRoomTrackerSaysWhenTheNextJoinIsDue() {
        let t0 = ContinuousClock.now
        var tracker = IRCRoomTracker(configured: [.init(name: "#ops"), .init(name: "#dev")])
        #expect(tracker.nextJoinDue(now: t0) == t0)  // not asked for yet
        _ = tracker.joinsDue(now: t0, isupport: ISupport())
        #expect(tracker.nextJoinDue(now: t0) == t0 + .seconds(60))  // unanswered JOINs time out
        tracker.joined("#ops")
        _ = tracker.joinRefused("#dev", reason: "full", now: t0)
        #expect(tracker.nextJoinDue(now: t0) == t0 + .seconds(30))
        tracker.joined("#dev")
        #expect(tracker.nextJoinDue(now: t0) == nil)
    }
}
