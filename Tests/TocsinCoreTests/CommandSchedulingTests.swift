import Synchronization
import Testing
import TocsinCore

/// Issue 11, item 1: commands run concurrently, bounded per network, in order per person; a slow
/// incident API call delays nobody else and no announcement; a slow command says so once.
@Suite struct CommandSchedulingTests {
    typealias F = Fixtures
    let ops = Fixtures.ops

    /// A deadline that never passes unless the test says so (the "working on it" timer).
    static let never: @Sendable (Duration) async throws -> Void = { _ in
        try await Task.sleep(for: .seconds(3600))
    }

    func gateway(_ service: GatedIncidentService, outbox: InMemoryOutbox, limits: CommandSchedulerLimits = CommandSchedulerLimits(),
                 rules: [RouteRule] = [], sleep: @escaping @Sendable (Duration) async throws -> Void = never) -> Gateway {
        let policy = AuthorizationPolicy(identities: [F.alice: "alice@example.org", F.bob: "bob@example.org"])
        let handler = CommandHandler(parser: CommandParser(), policy: policy, service: service)
        return Gateway(commands: handler, router: Router(rules: rules), outbox: outbox, dispatcher: OutboxDispatcher(outbox: outbox),
                       scheduler: CommandScheduler(limits: limits), sleep: sleep)
    }

    func replies(_ outbox: InMemoryOutbox) async -> [String] {
        await outbox.pending(network: F.network, limit: 1000).sorted { $0.id < $1.id }.map(\.message.text.plainText)
    }

    @Test func slowCallForOnePersonDoesNotDelayAnotherPersonsCommand() async {
        let service = GatedIncidentService(gated: [1])
        let outbox = InMemoryOutbox()
        let gateway = gateway(service, outbox: outbox)
        // What the transport does for each line it reads: hand it over and read on.
        gateway.submit(F.message("!ack 1", identity: F.alice))
        gateway.submit(F.message("!ack 2", from: "bob", identity: F.bob))
        #expect(await eventually { await replies(outbox).contains { $0.hasPrefix("bob: Acknowledged #2") } })
        #expect(!service.log.contains("end ack 1"), "alice's call is still waiting on the slow API")
        service.open(1)
        #expect(await eventually { await replies(outbox).count == 2 })
    }

    @Test func onePersonsCommandsRunInTheOrderTyped() async {
        let service = GatedIncidentService(gated: [1])
        let outbox = InMemoryOutbox()
        let gateway = gateway(service, outbox: outbox)
        gateway.submit(F.message("!ack 1"))
        gateway.submit(F.message("!resolve 3"))
        #expect(await eventually { service.log == ["start ack 1"] })
        try? await Task.sleep(for: .milliseconds(50))
        #expect(service.log == ["start ack 1"], "the second command waits for the first")
        service.open(1)
        #expect(await eventually { await replies(outbox).count == 2 })
        #expect(service.log == ["start ack 1", "end ack 1", "start resolve 3", "end resolve 3"])
        #expect(await replies(outbox).map { String($0.prefix(22)) } == ["alice: Acknowledged #1", "alice: Resolved #3 API"])
    }

    @Test func networkRunsAtMostTheBoundThenQueuesThenRefusesWithOneLine() async {
        let service = GatedIncidentService(gated: [1, 2, 3, 4])
        let outbox = InMemoryOutbox()
        let gateway = gateway(service, outbox: outbox, limits: CommandSchedulerLimits(maximumInFlight: 2, maximumQueued: 1))
        for (number, nick) in [(1, "ann"), (2, "ben"), (3, "cat"), (4, "dan")] {
            gateway.submit(F.message("!incident \(number)", from: nick, identity: nil))
        }
        #expect(await eventually { await replies(outbox).count == 1 })
        #expect(await replies(outbox).first?.hasPrefix("Busy: too many commands") == true, "dan is refused in one line")
        #expect(gateway.scheduler.load(network: F.network) == (running: 2, queued: 1))
        #expect(Set(service.log) == ["start details 1", "start details 2"], "only two calls at once")
        service.open(1)
        #expect(await eventually { service.log.contains("start details 3") }, "cat's command takes the freed slot")
        for number in [2, 3] { service.open(number) }
        #expect(await eventually { await replies(outbox).count == 4 })
        #expect(!service.log.contains("start details 4"))
        #expect(await eventually { gateway.scheduler.load(network: F.network) == (running: 0, queued: 0) })
    }

    @Test func slowCommandSaysWorkingOnItExactlyOnceThenAnswers() async {
        let service = GatedIncidentService(gated: [1])
        let outbox = InMemoryOutbox()
        let deadlines = Mutex(0)
        // The deadline passes at once, however often it is asked for.
        let gateway = gateway(service, outbox: outbox, sleep: { _ in deadlines.withLock { $0 += 1 } })
        gateway.submit(F.message("!ack 1"))
        #expect(await eventually { await replies(outbox) == ["Working on it…"] })
        try? await Task.sleep(for: .milliseconds(50))
        service.open(1)
        #expect(await eventually { await replies(outbox).count == 2 })
        try? await Task.sleep(for: .milliseconds(50))
        let items = await outbox.pending(network: F.network, limit: 10).sorted { $0.id < $1.id }
        #expect(items.map(\.message.text.plainText) == ["Working on it…", "alice: Acknowledged #1 API latency · api (platform) · high"])
        #expect(items.map(\.message.priority) == [.writeReply, .writeReply], "the notice never trails its answer")
        let asked = deadlines.withLock { $0 }
        #expect(asked == 1)
    }

    @Test func fastCommandSaysNothingBeforeItsAnswer() async {
        let service = GatedIncidentService(gated: [])
        let outbox = InMemoryOutbox()
        await gateway(service, outbox: outbox).receive(F.message("!ack 1"))
        #expect(await replies(outbox) == ["alice: Acknowledged #1 API latency · api (platform) · high"])
    }

    @Test func announcementIsStoredWhileCommandsWaitOnTheAPI() async throws {
        let service = GatedIncidentService(gated: [1, 2])
        let outbox = InMemoryOutbox()
        let gateway = gateway(service, outbox: outbox, limits: CommandSchedulerLimits(maximumInFlight: 1), rules: [RouteRule(destination: ops)])
        gateway.submit(F.message("!ack 1"))
        gateway.submit(F.message("!ack 2", from: "bob", identity: F.bob))
        #expect(await eventually { service.log == ["start ack 1"] })
        try await gateway.publish(F.event(.triggered, F.incident(9, title: "Checkout down", severity: .critical), id: "evt-9"))
        #expect(await replies(outbox).count == 1, "the announcement is stored at once")
        for number in [1, 2] { service.open(number) }
        #expect(await eventually { await replies(outbox).count == 3 })
    }
}
