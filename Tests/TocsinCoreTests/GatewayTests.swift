import Testing
import TocsinCore

@Suite struct GatewayTests {
    typealias F = Fixtures
    let ops = Fixtures.ops
    let db = ChatDestination.room("#db", on: Fixtures.network)
    let xmppRoom = ChatDestination.room("ops@conference.example.org", on: "xmpp")

    func gateway(outbox: any Outbox, rules: [RouteRule] = [], dispatcher: OutboxDispatcher? = nil,
                 service: FakeIncidentService = FakeIncidentService()) -> Gateway {
        let handler = CommandHandler(parser: CommandParser(), policy: AuthorizationPolicy(identities: [F.alice: "alice@example.org"]),
                                     service: service)
        return Gateway(commands: handler, router: Router(rules: rules), outbox: outbox,
                       dispatcher: dispatcher ?? OutboxDispatcher(outbox: outbox))
    }

    func everything(_ outbox: InMemoryOutbox) async -> [OutboxItem] {
        var items: [OutboxItem] = []
        for network in await outbox.backlog().keys.sorted() {
            items += await outbox.pending(network: network, limit: 1000)
        }
        return items
    }

    @Test func writeAckGoesBackToItsOriginAfterUrgentAnnouncements() async {
        let outbox = InMemoryOutbox()
        await gateway(outbox: outbox).receive(F.message("!ack 4", messageID: "msg-17"))
        let items = await everything(outbox)
        #expect(items.count == 1)
        #expect(items.first?.message.destination == ops)
        #expect(items.first?.message.priority == .writeReply)
        #expect(items.first?.message.inReplyTo == "msg-17")
        #expect(items.first?.message.text.plainText == "alice: Acknowledged #4 API latency · api (platform) · high")
        #expect(items.first?.message.dedupKey == nil)
    }

    @Test func directMessageReplyGoesToThePerson() async {
        let outbox = InMemoryOutbox()
        let message = F.direct("whoami", with: "alice")
        await gateway(outbox: outbox).receive(message)
        #expect(await everything(outbox).map(\.message.destination) == [message.origin])
    }

    @Test func chatStoresNothing() async {
        let outbox = InMemoryOutbox()
        await gateway(outbox: outbox).receive(F.message("morning all"))
        #expect(await outbox.backlog().isEmpty)
    }

    @Test func sameQuestionTwiceIsAnsweredTwice() async {
        let outbox = InMemoryOutbox()
        let gateway = gateway(outbox: outbox)
        await gateway.receive(F.message("!whoami"))
        await gateway.receive(F.message("!whoami"))
        #expect(await everything(outbox).count == 2)
    }

    @Test func eventRoutedToThreeRoomsIsQueuedThreeTimes() async throws {
        let outbox = InMemoryOutbox()
        let gateway = gateway(outbox: outbox, rules: [RouteRule(destination: ops), RouteRule(destination: db), RouteRule(destination: xmppRoom)])
        let event = F.event(.triggered, F.incident(9, title: "Checkout down", severity: .critical), id: "evt-1")
        try await gateway.publish(event)
        let items = await everything(outbox)
        #expect(Set(items.map(\.message.destination)) == [ops, db, xmppRoom])
        #expect(items.allSatisfy { $0.message.priority == .critical })
        #expect(items.allSatisfy { $0.message.dedupKey == "event:evt-1" })
        #expect(items.allSatisfy { $0.message.text == AnnouncementFormatter().announcement(for: event) })
        #expect(await outbox.backlog() == [F.network: 2, "xmpp": 1])
    }

    @Test func sameEventReceivedTwiceIsAnnouncedOnce() async throws {
        let outbox = InMemoryOutbox()
        let gateway = gateway(outbox: outbox, rules: [RouteRule(destination: ops), RouteRule(destination: db)])
        let event = F.event(.acknowledged, id: "evt-2")
        try await gateway.publish(event)
        try await gateway.publish(event)
        #expect(await everything(outbox).count == 2)
    }

    @Test func differentEventsOfOneIncidentAreEachAnnounced() async throws {
        let outbox = InMemoryOutbox()
        let gateway = gateway(outbox: outbox, rules: [RouteRule(destination: ops)])
        try await gateway.publish(F.event(.triggered, id: "evt-a"))
        try await gateway.publish(F.event(.acknowledged, id: "evt-b"))
        #expect(await everything(outbox).map(\.message.dedupKey) == ["event:evt-a", "event:evt-b"])
    }

    @Test func eventMatchingNoRouteIsDropped() async throws {
        let outbox = InMemoryOutbox()
        try await gateway(outbox: outbox, rules: [RouteRule(destination: ops, services: ["db"])]).publish(F.event(.triggered))
        #expect(await outbox.backlog().isEmpty)
    }

    @Test func queuedMessagesReachTheTransportWithoutWaitingForTheTick() async throws {
        let outbox = InMemoryOutbox()
        let dispatcher = OutboxDispatcher(outbox: outbox, tick: .seconds(3600))
        let gateway = gateway(outbox: outbox, rules: [RouteRule(destination: ops)], dispatcher: dispatcher)
        let transport = FakeChatTransport()
        _ = await outbox.enqueue([OutboxMessage(destination: ops, text: RichText(plain: "primer"), priority: .low)])
        let task = Task { await dispatcher.run(transports: [transport]) }
        // The primer going out proves the loop is up and listening for wake-ups.
        #expect(await eventually { transport.delivered.count == 1 })
        try await gateway.publish(F.event(.triggered, id: "evt-live"))
        #expect(await eventually { transport.delivered.count == 2 })
        await gateway.receive(F.message("!whoami"))
        #expect(await eventually { transport.delivered.count == 3 })
        task.cancel()
        await task.value
        #expect(transport.deliveredTexts.last == "alice: irc:libera/alice, acting as alice@example.org")
        #expect(transport.deliveredTexts.dropFirst().first?.hasPrefix("[TRIGGERED] #1") == true)
    }
}
