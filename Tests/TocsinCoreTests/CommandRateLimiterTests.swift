import Synchronization
import Testing
import TocsinCore

/// A clock the test moves by hand, for the rate limiter's buckets.
final class ManualClock: Sendable {
    private let current = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { current.withLock { $0 } }
    func advance(_ duration: Duration) { current.withLock { $0 += duration } }
}

@Suite struct CommandRateLimiterTests {
    typealias F = Fixtures
    let clock = ManualClock()
    let limits = CommandRateLimits(perUser: RateLimit(burst: 5, perMinute: 10), perRoom: RateLimit(burst: 10, perMinute: 30))

    func limiter(_ limits: CommandRateLimits? = nil, pruneAbove: Int = 1000) -> CommandRateLimiter {
        CommandRateLimiter(limits: limits ?? self.limits, pruneAbove: pruneAbove, now: { [clock] in clock.now })
    }

    func mallory(_ nick: String = "mallory") -> InboundMessage {
        F.message("!incidents", from: nick, identity: nil)
    }

    func notices(_ decisions: [CommandRateLimiter.Decision]) -> [String] {
        decisions.compactMap { if case .limited(let notice?) = $0 { notice.plainText } else { nil } }
    }

    @Test func burstIsAllowedThenOnePoliteNoticeThenSilence() {
        let limiter = limiter()
        let decisions = (1...12).map { _ in limiter.admit(mallory()) }
        #expect(decisions.prefix(5).allSatisfy { $0 == .allowed })
        #expect(decisions.dropFirst(5).allSatisfy { $0 != .allowed })
        let told = notices(decisions)
        #expect(told.count == 1)
        #expect(told.first?.hasPrefix("mallory: slow down") == true)
        #expect(told.first?.contains("try again in 6 s") == true, "one token every 6 s at 10 a minute: \(told)")
    }

    @Test func tokensComeBackWithTimeAndEndTheLimitedPeriod() {
        let limiter = limiter()
        for _ in 1...5 { _ = limiter.admit(mallory()) }
        #expect(limiter.admit(mallory()) != .allowed)
        clock.advance(.seconds(3))
        #expect(limiter.admit(mallory()) == .limited(notice: nil), "half a token is not a token; already told")
        clock.advance(.seconds(3))
        #expect(limiter.admit(mallory()) == .allowed)
        // A new limited period: one new notice.
        #expect(notices([limiter.admit(mallory()), limiter.admit(mallory())]).count == 1)
    }

    @Test func verifiedIdentityIsOneBucketWhateverTheNick() {
        let limiter = limiter()
        for nick in ["alice", "alice_", "alice2", "al", "ali"] {
            #expect(limiter.admit(F.message("!incidents", from: nick, identity: F.alice)) == .allowed)
        }
        #expect(limiter.admit(F.message("!incidents", from: "alice-away", identity: F.alice)) != .allowed)
        #expect(limiter.admit(F.message("!incidents", from: "bob", identity: F.bob)) == .allowed, "bob has his own bucket")
    }

    @Test func unverifiedNicksAreKeyedByNetworkAndFoldedNick() {
        #expect(CommandRateLimiter.userKey(for: mallory("Mallory")) == CommandRateLimiter.userKey(for: mallory("mallory")))
        let elsewhere = F.message("!incidents", in: .room("#ops", on: "oftc"), from: "mallory", identity: nil)
        #expect(CommandRateLimiter.userKey(for: elsewhere) != CommandRateLimiter.userKey(for: mallory()))
        #expect(CommandRateLimiter.userKey(for: F.message("!x", identity: F.alice)) == F.alice.description)
    }

    @Test func rotatingNicksDrainTheRoomBucketAndTheRoomIsToldOnce() {
        let limiter = limiter()
        let decisions = (1...30).map { limiter.admit(mallory("m\($0)")) }
        #expect(decisions.filter { $0 == .allowed }.count == 10, "the room's burst")
        let told = notices(decisions)
        #expect(told.count == 1, "one notice for the room, not one per fresh nick: \(told)")
        #expect(told.first?.contains("this room is sending the bot too many commands") == true)
        // Another room is not affected.
        #expect(limiter.admit(F.message("!incidents", in: .room("#db", on: F.network), from: "m1", identity: nil)) == .allowed)
    }

    @Test func directMessagesShareOneBucketPerNetwork() {
        let limiter = limiter(CommandRateLimits(perUser: RateLimit(burst: 5, perMinute: 10), perRoom: RateLimit(burst: 3, perMinute: 1)))
        let decisions = (1...6).map { limiter.admit(F.direct("incidents", with: "fresh\($0)", identity: nil)) }
        #expect(decisions.filter { $0 == .allowed }.count == 3)
        #expect(notices(decisions).first?.hasPrefix("slow down") == true, "no nick prefix in private")
    }

    @Test func fullBucketsAreForgottenWhenTheTableGrows() {
        let limiter = limiter(pruneAbove: 50)
        for index in 1...60 { _ = limiter.admit(F.message("!x", in: .room("#r\(index)", on: F.network), from: "n\(index)", identity: nil)) }
        #expect(limiter.trackedCount.users == 60)
        clock.advance(.seconds(60))
        _ = limiter.admit(mallory())
        #expect(limiter.trackedCount.users <= 1, "full buckets carry no state")
    }

    // MARK: through the gateway

    func gateway(_ outbox: InMemoryOutbox, _ service: FakeIncidentService, limiter: CommandRateLimiter?) -> Gateway {
        let handler = CommandHandler(parser: CommandParser(), policy: AuthorizationPolicy(identities: [F.alice: "alice@example.org"]),
                                     service: service)
        return Gateway(commands: handler, router: Router(rules: []), outbox: outbox, dispatcher: OutboxDispatcher(outbox: outbox),
                       rateLimiter: limiter)
    }

    @Test func twelveIncidentsFromANickWithoutAccountRunFiveTimesAndGetOneSlowDown() async {
        let outbox = InMemoryOutbox()
        let service = FakeIncidentService()
        let gateway = gateway(outbox, service, limiter: limiter())
        for _ in 1...12 { await gateway.receive(mallory()) }
        let replies = await outbox.pending(network: F.network, limit: 100)
        #expect(await service.calls.count == 5, "the incident API is asked only within the limit")
        #expect(replies.count == 6)
        #expect(replies.filter { $0.message.text.plainText.contains("slow down") }.count == 1)
        #expect(replies.allSatisfy { $0.message.priority == .readReply })
    }

    @Test func chatThatIsNotACommandUsesNoToken() async {
        let outbox = InMemoryOutbox()
        let service = FakeIncidentService()
        let gateway = gateway(outbox, service, limiter: limiter())
        for _ in 1...20 { await gateway.receive(F.message("just chatting", from: "mallory", identity: nil)) }
        await gateway.receive(mallory())
        #expect(await service.calls.count == 1)
    }
}
