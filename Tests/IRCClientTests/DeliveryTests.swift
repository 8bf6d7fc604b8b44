import Foundation
import IRC
import Testing
import TocsinCore
@testable import IRCClient

@Suite("Client state machine: deliveries")
struct DeliveryTests {
    func message(_ text: String, to room: String = "#ops", priority: DeliveryPriority = .normal, inReplyTo: String? = nil) -> OutboxMessage {
        OutboxMessage(destination: .room(room, on: "libera"), text: RichText(plain: text), priority: priority, inReplyTo: inReplyTo)
    }

    @Test func notConnectedBeforeRegistration() {
        var m = IRCClientStateMachine(configuration: config(), now: .now)
        _ = m.connectionEstablished(now: .now)
        let out = m.deliver(OutboxItem(id: 1, message: message("hi"), createdAt: Date()), id: DeliveryID(1), now: .now)
        #expect(out == [.failDelivery(DeliveryID(1), .notConnected(network: "libera"))])
    }

    @Test func notInRoomWhenTheRoomIsNotJoined() {
        var s = Session(config())
        #expect(s.deliver(message("hi", to: "#elsewhere")) == [.failDelivery(DeliveryID(1), .notInRoom(network: "libera", room: "#elsewhere"))])
    }

    @Test func confirmedByWriteWithoutEchoMessage() {
        var s = Session(config(), caps: "server-time")
        let out = s.deliver(message("disk full"))
        #expect(out == [.write(line("PRIVMSG #ops :disk full"), delivery: DeliveryID(1))])
        #expect(s.machine.writeCompleted(DeliveryID(1), success: true, now: s.clock.now) == [.confirmDelivery(DeliveryID(1))])
    }

    @Test func failedWriteFailsTheDelivery() {
        var s = Session(config(), caps: "server-time")
        _ = s.deliver(message("disk full"))
        #expect(s.machine.writeCompleted(DeliveryID(1), success: false, now: s.clock.now) == [.failDelivery(DeliveryID(1), .notConnected(network: "libera"))])
    }

    @Test func echoWithLabelConfirmsTheLastLine() {
        var s = Session(config())
        let out = s.deliver(message("disk full"))
        #expect(out.written == ["@label=tocsin1 PRIVMSG #ops :disk full"])
        #expect(s.machine.writeCompleted(DeliveryID(1), success: true, now: s.clock.now).isEmpty)
        let echo = s.receive("@label=tocsin1;msgid=xyz :tocsin!~tocsin@bot.example.org PRIVMSG #ops :disk full")
        #expect(echo == [.confirmDelivery(DeliveryID(1))])
    }

    @Test func echoWithoutLabelsMatchesByTargetAndTextInOrder() {
        var s = Session(config(), caps: "echo-message")
        let lines = s.deliver(OutboxMessage(
            destination: .room("#ops", on: "libera"),
            text: RichText(lines: [[.plain("first")], [.plain("second")]]), priority: .high))
        #expect(lines.written == ["PRIVMSG #ops first", "PRIVMSG #ops second"])
        #expect(s.receive(":tocsin!~tocsin@h PRIVMSG #ops :first").isEmpty)
        #expect(s.receive(":tocsin!~tocsin@h PRIVMSG #OPS :second") == [.confirmDelivery(DeliveryID(1))])
    }

    @Test func echoOfAlteredTextStillMatchesTheOldestLineToThatTarget() {
        var s = Session(config(), caps: "echo-message")
        _ = s.deliver(OutboxMessage(destination: .room("#ops", on: "libera"), text: RichText([.tone(.critical, "DOWN")]), priority: .critical))
        // A +c channel strips the colours.
        #expect(s.receive(":tocsin!~tocsin@h PRIVMSG #ops :DOWN") == [.confirmDelivery(DeliveryID(1))])
    }

    @Test func missingEchoTimesOut() {
        var s = Session(config())
        _ = s.deliver(message("disk full"))
        #expect(s.tick(after: .seconds(29)).isEmpty)
        #expect(s.tick(after: .seconds(1)).contains(.failDelivery(DeliveryID(1), .timedOut(network: "libera"))))
    }

    @Test func cannotSendToChannelFailsTheLabelledDelivery() {
        var s = Session(config())
        _ = s.deliver(message("disk full"))
        let out = s.receive("@label=tocsin1 :srv 404 tocsin #ops :Cannot send to channel (+m)")
        #expect(out.contains(.failDelivery(DeliveryID(1), .notInRoom(network: "libera", room: "#ops"))))
    }

    @Test func cannotSendToChannelHoldsTheRoomBackForAWhile() {
        var s = Session(config(), caps: "server-time")
        _ = s.deliver(message("first"))
        _ = s.machine.writeCompleted(DeliveryID(1), success: true, now: s.clock.now)
        let refused = s.receive(":srv 404 tocsin #ops :Cannot send to channel (+m)")
        #expect(refused.logText.contains("holding messages for it for 60s"))
        #expect(s.deliver(message("second"), id: 2) == [.failDelivery(DeliveryID(2), .notInRoom(network: "libera", room: "#ops"))])
        s.clock.advance(.seconds(60))
        #expect(s.deliver(message("third"), id: 3).written == ["PRIVMSG #ops third"])
    }

    @Test func replyToANickThatLeftIsDroppedNotRetried() {
        var s = Session(config())
        let item = OutboxMessage(destination: ChatDestination(network: "libera", conversation: .direct("alice")), text: RichText(plain: "done"), priority: .readReply)
        _ = s.deliver(item)
        let out = s.receive("@label=tocsin1 :srv 401 tocsin alice :No such nick/channel")
        #expect(out.contains(.confirmDelivery(DeliveryID(1))))
    }

    @Test func kickFailsDeliveriesStillWaiting() {
        var s = Session(config())
        _ = s.deliver(message("disk full"))
        let out = s.receive(":op!o@h KICK #ops tocsin :bye")
        #expect(out.contains(.failDelivery(DeliveryID(1), .notInRoom(network: "libera", room: "#ops"))))
    }

    @Test func disconnectFailsPendingDeliveries() {
        var s = Session(config())
        _ = s.deliver(message("disk full"))
        #expect(s.machine.connectionClosed() == [.failDelivery(DeliveryID(1), .notConnected(network: "libera"))])
    }

    @Test func repliesAsNoticeWhenConfigured() {
        var s = Session(config(replyAsNotice: true), caps: "")
        #expect(s.deliver(message("ok", priority: .readReply)).written == ["NOTICE #ops ok"])
        #expect(s.deliver(message("acked", priority: .writeReply), id: 2).written == ["NOTICE #ops acked"])
        #expect(s.deliver(message("alert", priority: .critical), id: 3).written == ["PRIVMSG #ops alert"])
    }

    @Test func replyTagWhenMessageTagsAreEnabled() {
        var s = Session(config(), caps: "message-tags")
        #expect(s.deliver(message("acked", priority: .readReply, inReplyTo: "abc")).written == ["@+draft/reply=abc PRIVMSG #ops acked"])
        var plain = Session(config(), caps: "server-time")
        #expect(plain.deliver(message("acked", priority: .readReply, inReplyTo: "abc")).written == ["PRIVMSG #ops acked"])
    }

    @Test func directMessagesGoToTheNick() {
        var s = Session(config(), caps: "")
        let item = OutboxMessage(destination: ChatDestination(network: "libera", conversation: .direct("alice")), text: RichText(plain: "done"), priority: .readReply)
        #expect(s.deliver(item).written == ["PRIVMSG alice done"])
    }

    @Test func longTextIsSplitToFitTheRelayedLine() {
        var s = Session(config(), caps: "")
        let words = (1...200).map { "word\($0)" }.joined(separator: " ")
        let out = s.deliver(message(words)).written
        #expect(out.count > 1)
        let prefix = ":tocsin!~tocsin@bot.example.org "
        for wire in out {
            #expect((prefix + wire).utf8.count + 2 <= 512)
            #expect(!wire.contains("\r") && !wire.contains("\n"))
        }
        let texts = out.map { String($0.dropFirst("PRIVMSG #ops :".count)) }
        #expect(texts.joined(separator: " ") == words)
    }

    @Test func budgetIsPessimisticUntilOurHostIsKnown() {
        var s = Session(config(), caps: "", joinRooms: false)
        _ = s.receive(":tocsin JOIN #ops")  // a server that omits user@host
        let out = s.deliver(message(String(repeating: "a", count: 440))).written
        let longest = out.map { $0.utf8.count }.max() ?? 0
        let pessimistic = ":" + IRCLineSplitter.pessimisticPrefix(nick: "tocsin", user: "tocsin") + " "
        #expect(pessimistic.utf8.count + longest + 2 <= 512)
    }

    @Test func injectionInAnnouncementTextStaysOneLine() {
        var s = Session(config(), caps: "")
        let out = s.deliver(message("x\r\nQUIT :pwned\u{0}\u{1}VERSION\u{1}")).written
        #expect(out == ["PRIVMSG #ops :x QUIT :pwnedVERSION"])
    }
}

@Suite("Client state machine: flood control")
struct FloodControlTests {
    @Test func deliveriesArePacedByTheTokenBucket() {
        var clock = VirtualClock()
        var m = IRCClientStateMachine(configuration: config(flood: .init(burst: 2, interval: .seconds(2))), now: clock.now)
        _ = m.connectionEstablished(now: clock.now)  // CAP LS, NICK: 2 tokens
        clock.advance(.seconds(2))
        #expect(m.tick(now: clock.now).written == ["USER tocsin 0 * Tocsin"])
        _ = m.receive(line(":srv 421 * CAP :Unknown command"), now: clock.now)
        _ = m.receive(line(":srv 001 tocsin :Welcome"), now: clock.now)
        clock.advance(.seconds(2))
        #expect(m.receive(line(":srv 376 tocsin :End"), now: clock.now).written == ["JOIN #ops"])
        _ = m.receive(line(":tocsin!~tocsin@h JOIN #ops"), now: clock.now)

        clock.advance(.seconds(10))  // bucket refills to 2
        let text = RichText(lines: (1...5).map { [.plain("line \($0)")] })
        let first = m.deliver(OutboxItem(id: 1, message: OutboxMessage(destination: .room("#ops", on: "libera"), text: text, priority: .normal), createdAt: Date()), id: DeliveryID(1), now: clock.now)
        #expect(first.written == ["PRIVMSG #ops :line 1", "PRIVMSG #ops :line 2"])
        // A PING arrives: its PONG goes before the rest of the announcement.
        clock.advance(.seconds(2))
        #expect(m.receive(line("PING :x"), now: clock.now).written == ["PONG x"])
        clock.advance(.seconds(2))
        #expect(m.tick(now: clock.now).written == ["PRIVMSG #ops :line 3"])
        clock.advance(.milliseconds(1999))
        #expect(m.tick(now: clock.now).written.isEmpty)
        clock.advance(.milliseconds(1))
        let last = m.tick(now: clock.now)
        #expect(last.written == ["PRIVMSG #ops :line 4"])
        clock.advance(.seconds(2))
        #expect(m.tick(now: clock.now) == [.write(line("PRIVMSG #ops :line 5"), delivery: DeliveryID(1))])
    }
}
