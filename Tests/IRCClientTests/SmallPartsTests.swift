import IRC
import Testing
import TocsinCore
@testable import IRCClient

@Suite("Token bucket")
struct TokenBucketTests {
    @Test func burstThenOnePerInterval() {
        let t0 = ContinuousClock.now
        var bucket = TokenBucket(capacity: 4, interval: .milliseconds(2100), now: t0)
        let burst = (0..<6).filter { _ in bucket.take(at: t0) }.count
        #expect(burst == 4)
        let tooEarly = bucket.take(at: t0 + .milliseconds(2099))
        let onTime = bucket.take(at: t0 + .milliseconds(2100))
        let again = bucket.take(at: t0 + .milliseconds(2100))
        let next = bucket.nextToken(after: t0 + .milliseconds(2100))
        #expect(!tooEarly)
        #expect(onTime)
        #expect(!again)
        #expect(next == t0 + .milliseconds(4200))
    }

    @Test func neverMoreThanTheBudgetInAnyWindow() {
        // Greedy sender on a virtual clock with irregular polling.
        let t0 = ContinuousClock.now
        var bucket = TokenBucket(capacity: 4, interval: .milliseconds(2100), now: t0)
        var sent: [ContinuousClock.Instant] = []
        var now = t0
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            now = now + .milliseconds(Int.random(in: 0...700, using: &generator))
            while bucket.take(at: now) { sent.append(now) }
        }
        #expect(sent.count > 100)
        for (index, start) in sent.enumerated() {
            for window in [Duration.seconds(1), .seconds(10), .seconds(60)] {
                let inWindow = sent[index...].prefix { $0 - start < window }.count
                let allowed = 4 + Int(window / .milliseconds(2100))
                #expect(inWindow <= allowed)
            }
        }
    }
}

@Suite("Outgoing queue")
struct OutgoingQueueTests {
    func queued(_ text: String, _ priority: IRCOutgoingPriority) -> IRCQueuedLine {
        IRCQueuedLine(message: IRCMessage(command: "PRIVMSG", parameters: ["#ops", text]), priority: priority)
    }

    @Test func prioritiesAreRespectedAndFIFOWithinOne() {
        let t0 = ContinuousClock.now
        var queue = IRCOutgoingQueue(flood: .init(burst: 1, interval: .seconds(1)), now: t0)
        queue.enqueue(queued("low", .delivery(.low)))
        queue.enqueue(queued("ctcp", .ctcpReply))
        queue.enqueue(queued("critical", .delivery(.critical)))
        queue.enqueue(queued("reply 1", .delivery(.readReply)))
        queue.enqueue(queued("pong", .protocolMessage))
        queue.enqueue(queued("reply 2", .delivery(.readReply)))
        var order: [String] = []
        for second in 0..<6 {
            order += queue.dequeueReady(at: t0 + .seconds(second)).map { $0.message.parameters[1] }
        }
        // Critical announcements go before replies (issue 10, hole 4: replies never ahead of critical/high).
        #expect(order == ["pong", "critical", "reply 1", "reply 2", "low", "ctcp"])
    }

    @Test func heldQueueReleasesNothing() {
        let t0 = ContinuousClock.now
        var queue = IRCOutgoingQueue(flood: .init(), now: t0)
        queue.isHeld = true
        queue.enqueue(queued("x", .protocolMessage))
        #expect(queue.dequeueReady(at: t0).isEmpty)
        #expect(queue.nextRelease(after: t0) == nil)
        queue.isHeld = false
        #expect(queue.dequeueReady(at: t0).count == 1)
    }

    @Test func aDeliveryThatDoesNotFitIsRefusedWholeAndProtocolOverflowIsCounted() {
        let t0 = ContinuousClock.now
        var queue = IRCOutgoingQueue(flood: .init(burst: 1, interval: .seconds(1)), now: t0)
        queue.deliveryCapacity = 3
        queue.protocolCapacity = 2
        #expect(queue.canAccept(deliveryLines: 3))
        for index in 0..<3 {
            let accepted = queue.enqueue(queued("d\(index)", .delivery(.normal)))
            #expect(accepted)
        }
        #expect(!queue.canAccept(deliveryLines: 1))
        let overflowing = queue.enqueue(queued("d3", .delivery(.critical)))
        #expect(!overflowing)
        let p0 = queue.enqueue(queued("p0", .protocolMessage))
        #expect(p0)
        let p1 = queue.enqueue(queued("p1", .protocolMessage))
        #expect(p1)
        let p2 = queue.enqueue(queued("p2", .protocolMessage))
        #expect(!p2)
        #expect(queue.droppedProtocolLines == 1)
        #expect(queue.count == 5)
        // Sending a delivery line frees room for another.
        _ = queue.dequeueReady(at: t0)
        _ = queue.dequeueReady(at: t0 + .seconds(1))
        _ = queue.dequeueReady(at: t0 + .seconds(2))
        #expect(queue.canAccept(deliveryLines: 1))
    }

    @Test func removingADeliveryDropsOnlyItsUnsentLines() {
        let t0 = ContinuousClock.now
        var queue = IRCOutgoingQueue(flood: .init(burst: 10, interval: .seconds(1)), now: t0)
        let one = DeliveryID(1), two = DeliveryID(2)
        for text in ["a1", "a2"] {
            queue.enqueue(IRCQueuedLine(message: IRCMessage(command: "PRIVMSG", parameters: ["#ops", text]), priority: .delivery(.normal), delivery: one))
        }
        queue.enqueue(IRCQueuedLine(message: IRCMessage(command: "PRIVMSG", parameters: ["#ops", "b1"]), priority: .delivery(.normal), delivery: two))
        queue.remove(delivery: one)
        #expect(queue.count == 1)
        #expect(queue.canAccept(deliveryLines: 1023))
        #expect(queue.dequeueReady(at: t0).map { $0.message.parameters[1] } == ["b1"])
        #expect(queue.isEmpty)
    }

    @Test func manyLinesKeepTheirOrderAcrossCompaction() {
        let t0 = ContinuousClock.now
        var queue = IRCOutgoingQueue(flood: .init(burst: 1, interval: .seconds(1)), now: t0)
        var expected: [String] = []
        for index in 0..<200 {
            queue.enqueue(queued("\(index)", .delivery(.low)))
            expected.append("\(index)")
        }
        var seen: [String] = []
        for second in 0..<400 {
            if second % 3 == 0 && second < 300 {
                queue.enqueue(queued("late\(second)", .delivery(.low)))
                expected.append("late\(second)")
            }
            seen += queue.dequeueReady(at: t0 + .seconds(second)).map { $0.message.parameters[1] }
        }
        #expect(seen == expected)
        #expect(queue.isEmpty)
    }

    @Test func defaultsMatchTheDocumentedServerLimits() {
        let flood = IRCClientConfiguration.FloodControl()
        #expect(flood.burst == 4)
        #expect(flood.interval == .milliseconds(2100))
        // InspIRCd 3 default class: threshold 10, commandrate 1000 (1 line/s drained).
        #expect(flood.burst < 10)
        #expect(flood.interval > .seconds(1))
        // ngIRCd: 3 commands per pass, then a 1 s penalty; 256 bytes/s before a penalty.
        #expect(flood.burst <= 4)
        #expect(flood.interval >= .seconds(2))
    }
}

@Suite("Room joins")
struct JoinBatchingTests {
    @Test func keysArePositionalSoKeyedChannelsComeFirst() {
        let joins = IRCRoomTracker.joinMessages(
            for: [.init(name: "#a"), .init(name: "#b", key: "kb"), .init(name: "#c"), .init(name: "#d", key: "kd")],
            maxTargets: nil)
        #expect(joins.map(\.wireLine) == ["JOIN #b,#d,#a,#c kb,kd"])
    }

    @Test func targmaxLimitsChannelsPerLine() {
        let rooms = (1...5).map { IRCClientConfiguration.Room(name: "#r\($0)") }
        let joins = IRCRoomTracker.joinMessages(for: rooms, maxTargets: 2)
        #expect(joins.map(\.wireLine) == ["JOIN #r1,#r2", "JOIN #r3,#r4", "JOIN #r5"])
    }

    @Test func lineLengthLimitsChannelsPerLine() {
        let rooms = (1...40).map { IRCClientConfiguration.Room(name: "#" + String(repeating: "x", count: 40) + "\($0)", key: "key\($0)") }
        let joins = IRCRoomTracker.joinMessages(for: rooms, maxTargets: nil)
        #expect(joins.count > 1)
        for join in joins {
            #expect(join.serialized().count + 2 <= 512)
            let channels = join.parameters[0].split(separator: ",")
            let keys = join.parameters[1].split(separator: ",")
            #expect(channels.count == keys.count)
        }
        #expect(joins.flatMap { $0.parameters[0].split(separator: ",") }.count == 40)
    }

    @Test func trackerUsesTargmaxFromISupport() {
        var tracker = IRCRoomTracker(configured: (1...3).map { .init(name: "#r\($0)") })
        let isupport = ISupport(tokens: ["TARGMAX=JOIN:2"])
        #expect(tracker.joinsDue(now: .now, isupport: isupport).map(\.wireLine) == ["JOIN #r1,#r2", "JOIN #r3"])
        #expect(tracker.joinsDue(now: .now, isupport: isupport).isEmpty)
    }

    @Test func unansweredJoinIsRetriedAfterTheTimeout() {
        let t0 = ContinuousClock.now
        var tracker = IRCRoomTracker(configured: [.init(name: "#ops")])
        _ = tracker.joinsDue(now: t0, isupport: ISupport())
        #expect(tracker.joinsDue(now: t0 + .seconds(59), isupport: ISupport()).isEmpty)
        #expect(tracker.joinsDue(now: t0 + .seconds(60), isupport: ISupport()).count == 1)
    }

    @Test func retryBackoffIsCapped() {
        let t0 = ContinuousClock.now
        var tracker = IRCRoomTracker(configured: [.init(name: "#ops")])
        var delays: [Duration] = []
        for _ in 0..<10 { delays.append(tracker.joinRefused("#ops", reason: "full", now: t0) ?? .zero) }
        #expect(delays.prefix(4) == [.seconds(30), .seconds(60), .seconds(120), .seconds(240)])
        #expect(delays.last == .seconds(1800))
    }
}

@Suite("Nick chooser")
struct NickChooserTests {
    @Test func alternativesThenNumbered() {
        var nicks = NickChooser(preferred: "bot", alternatives: ["bot2", "bot"])
        #expect(nicks.next(afterRefusal: "433") == "bot2")
        #expect(nicks.next(afterRefusal: "433") == "bot_1")
        #expect(nicks.next(afterRefusal: "433") == "bot_2")
    }
}

@Suite("Log redaction")
struct LogRedactionTests {
    @Test func secretsNeverReachLogs() {
        #expect(IRCLogRedaction.describe(IRCMessage(command: "AUTHENTICATE", parameters: ["AHRvY3NpbgBzM2NyZXQ="])) == "AUTHENTICATE <redacted>")
        #expect(IRCLogRedaction.describe(IRCMessage(command: "PASS", parameters: ["hunter2"])) == "PASS <redacted>")
        #expect(IRCLogRedaction.describe(IRCMessage(command: "PRIVMSG", parameters: ["NickServ", "IDENTIFY bot pw"])) == "PRIVMSG NickServ :<redacted>")
        #expect(IRCLogRedaction.describe(IRCMessage(command: "PRIVMSG", parameters: ["nickserv@services.example", "IDENTIFY pw"])) == "PRIVMSG nickserv@services.example :<redacted>")
        #expect(IRCLogRedaction.describe(IRCMessage(command: "PRIVMSG", parameters: ["#ops", "hello there"])) == "PRIVMSG #ops :hello there")
    }
}

@Suite("Account directory")
struct AccountDirectoryTests {
    @Test func accountsOnlyForNicksInSharedChannels() {
        var directory = IRCAccountDirectory()
        directory.setAccount("alice", for: "alice")
        #expect(directory.account(of: "alice") == .unknown)
        directory.selfJoined("#ops")
        directory.joined("alice", channel: "#ops", account: .some("alice"))
        #expect(directory.account(of: "ALICE") == .loggedIn("alice"))
        directory.selfLeft("#ops")
        #expect(directory.account(of: "alice") == .unknown)
    }

    @Test func rfc1459CasemappingFoldsBrackets() {
        var directory = IRCAccountDirectory(caseMapping: .rfc1459)
        directory.selfJoined("#ops")
        directory.names(["[bot]"], channel: "#OPS")
        directory.setAccount("acct", for: "{bot}")
        #expect(directory.account(of: "[BOT]") == .loggedIn("acct"))
    }
}

@Suite struct JoinKeyRedactionTests {
    /// Channel keys are passwords: a logged JOIN shows the channels, never the keys.
    @Test func channelKeysAreRedactedFromLoggedJoinLines() {
        let join = IRCMessage(command: "JOIN", parameters: ["#ops,#secret", "hunter2,s3cr3t"])
        let logged = IRCLogRedaction.describe(join)
        #expect(!logged.contains("hunter2") && !logged.contains("s3cr3t"))
        #expect(logged.contains("#ops,#secret"))
    }

    @Test func aJoinWithoutKeysIsLoggedAsIs() {
        #expect(IRCLogRedaction.describe(IRCMessage(command: "JOIN", parameters: ["#ops"])) == "JOIN #ops")
    }
}
