import Foundation
import Synchronization
import Testing
import TocsinCore

/// `!subscribe`, `!unsubscribe`, `!subscriptions` (issue 12, item 2): grammar, the shared route
/// table, who may change it, and that a change is effective at once and stored.
@Suite struct SubscriptionTests {
    typealias F = Fixtures
    static let identities: [ChatIdentity: String] = [Fixtures.alice: "alice@example.org", Fixtures.bob: "bob@example.org"]
    let team = ChatDestination.room("#team", on: Fixtures.network)

    // MARK: grammar

    @Test func subscribeGrammarParsesServiceTeamAllUrgencyAndEvents() {
        let parser = CommandParser()
        func parse(_ text: String) -> ParsedInput { parser.parse(text, botNames: ["tocsin"], isDirect: false) }
        #expect(parse("!subscribe api") == .command(.subscribe(SubscriptionRequest(scope: .service("api")))))
        #expect(parse("!subscribe team:storage high") == .command(.subscribe(SubscriptionRequest(scope: .team("storage"), urgency: .high))))
        #expect(parse("!subscribe all low triggered incident.resolved")
                == .command(.subscribe(SubscriptionRequest(scope: .all, urgency: .low, kinds: [.triggered, .resolved]))))
        #expect(parse("!unsubscribe api") == .command(.unsubscribe(SubscriptionRequest(scope: .service("api")))))
        #expect(parse("!subscriptions") == .command(.subscriptions))
    }

    @Test(arguments: ["!subscribe", "!subscribe api loud", "!subscribe team:", "!subscribe api high low", "!subscribe api triggered high",
                      "!unsubscribe", "!subscriptions api", "!subscribe x:y"])
    func badSubscriptionArgumentsGetTheUsageLine(_ line: String) {
        guard case .invalid(let text) = CommandParser().parse(line, botNames: [], isDirect: false) else {
            Issue.record("\(line) parsed as a command")
            return
        }
        #expect(text.hasPrefix("Usage: !"))
        #expect(text.contains("SERVICE|team:TEAM|all") || text.hasSuffix("subscriptions"))
    }

    @Test func incidentsMineAndAckAloneParse() {
        let parser = CommandParser()
        #expect(parser.parse("!incidents mine", botNames: [], isDirect: false) == .command(.incidentsMine))
        #expect(parser.parse("!ack", botNames: [], isDirect: false) == .command(.ack([])))
        #expect(parser.parse("!resolve", botNames: [], isDirect: false) == .invalid("Usage: !resolve N [N…]"))
    }

    // MARK: route table

    @Test func aSubscriptionIsSeenAtOnceByEveryCopyOfTheRouter() {
        let router = Router(rules: [RouteRule(destination: F.ops)])
        let copy = router
        let event = F.event(.triggered)
        #expect(copy.destinations(for: event) == [F.ops])
        #expect(router.table.add(RouteRule(destination: team, source: .chat(addedBy: "alice"))) == .added)
        #expect(copy.destinations(for: event) == [F.ops, team])
        #expect(copy.rules(for: .room("#TEAM", on: F.network)).count == 1)
    }

    @Test func duplicatesAreRefusedWhateverTheCaseAndConfigRoutesCannotBeRemoved() {
        let table = RouteTable(configured: [RouteRule(destination: F.ops, services: ["api"])])
        #expect(table.add(RouteRule(destination: .room("#OPS", on: F.network), services: ["API"], source: .chat(addedBy: nil)))
                == .duplicate(RouteRule(destination: F.ops, services: ["api"])))
        #expect(table.add(RouteRule(destination: team, teams: ["storage"], source: .chat(addedBy: nil))) == .added)
        guard case .duplicate = table.add(RouteRule(destination: team, teams: ["Storage"], source: .chat(addedBy: nil))) else {
            Issue.record("second team:storage was added"); return
        }
        #expect(table.remove(RouteRule(destination: F.ops, services: ["api"])) == .configured(RouteRule(destination: F.ops, services: ["api"])))
        guard case .removed = table.remove(RouteRule(destination: team, teams: ["storage"])) else {
            Issue.record("team:storage not removed"); return
        }
        #expect(table.remove(RouteRule(destination: team, teams: ["storage"])) == .notFound)
        #expect(table.rules.count == 1)
    }

    @Test func filterKeyIgnoresCaseAndOrder() {
        let a = RouteRule(destination: F.ops, services: ["API", "db"], kinds: [.resolved, .triggered])
        let b = RouteRule(destination: .room("#Ops", on: F.network), services: ["db", "api"], kinds: [.triggered, .resolved], source: .chat(addedBy: "x"))
        #expect(a.filterKey == b.filterKey)
        #expect(a.filterKey != RouteRule(destination: F.ops, services: ["api"]).filterKey)
        #expect(b.filterDescription == "api,db triggered resolved")
    }

    // MARK: commands

    final class MemoryStore: SubscriptionStore {
        let saved = Mutex<[String]>([])
        func loadSubscriptions() async throws -> [RouteRule] { [] }
        func saveSubscription(_ rule: RouteRule) async throws { saved.withLock { $0.append(rule.filterKey) } }
        func deleteSubscription(_ rule: RouteRule) async throws { saved.withLock { $0.removeAll { $0 == rule.filterKey } } }
    }

    func handler(policy: AuthorizationPolicy? = nil, router: Router, store: MemoryStore) -> CommandHandler {
        var handler = CommandHandler(parser: CommandParser(), policy: policy ?? AuthorizationPolicy(identities: Self.identities),
                                     service: FakeIncidentService())
        handler.router = router
        handler.subscriptionStore = store
        handler.knownServices = ["api", "db"]
        return handler
    }

    @Test func aWriterSubscribesTheRoomAndItIsStoredAndEffective() async {
        let router = Router(rules: [])
        let store = MemoryStore()
        let handler = handler(router: router, store: store)
        let reply = await handler.respond(to: F.message("!subscribe API high", in: team))
        #expect(reply?.text.plainText == "alice: Subscribed: #team now gets api high — !unsubscribe api high to stop")
        #expect(router.destinations(for: F.event(.triggered, F.incident(1, service: "api", urgency: .high))) == [team])
        #expect(router.destinations(for: F.event(.triggered, F.incident(1, service: "api", urgency: .low))).isEmpty)
        #expect(store.saved.withLock { $0.count } == 1)

        let again = await handler.handle(F.message("!subscribe api high", in: team))
        #expect(again?.plainText == "#team is already subscribed to api high")
        #expect(store.saved.withLock { $0.count } == 1)

        let list = await handler.handle(F.message("!subscriptions", in: team))
        #expect(list?.plainText == "#team gets: api high (by alice)")

        let gone = await handler.handle(F.message("!unsubscribe api high", in: team))
        #expect(gone?.plainText == "Unsubscribed: #team no longer gets api high")
        #expect(router.destinations(for: F.event(.triggered, F.incident(1, service: "api", urgency: .high))).isEmpty)
        #expect(store.saved.withLock { $0.isEmpty })
    }

    @Test func aNonWriterIsRefusedAndNothingChanges() async {
        let router = Router(rules: [])
        let store = MemoryStore()
        let policy = AuthorizationPolicy(rooms: [team: RoomPolicy(writers: .only([F.bob]))], identities: Self.identities)
        let handler = handler(policy: policy, router: router, store: store)
        let reply = await handler.handle(F.message("!subscribe all", in: team))
        #expect(reply?.plainText == "Refused: irc:libera/alice may not run !subscribe here")
        let anonymous = await handler.handle(F.message("!subscribe all", in: team, identity: nil))
        #expect(anonymous?.plainText.hasPrefix("Refused: !subscribe needs a verified identity") == true)
        #expect(router.rules.isEmpty)
        #expect(store.saved.withLock { $0.isEmpty })
        let bob = await handler.handle(F.message("!subscribe all", in: team, from: "bob", identity: F.bob))
        #expect(bob?.plainText.hasPrefix("Subscribed:") == true)
    }

    @Test func configRoutesAreListedReadOnlyAndCannotBeUnsubscribed() async {
        let router = Router(rules: [RouteRule(destination: F.ops, urgencies: [.high], kinds: [.triggered])])
        let handler = handler(router: router, store: MemoryStore())
        #expect(await handler.handle(F.message("!subscriptions"))?.plainText == "#ops gets: all high triggered (configuration, read-only)")
        #expect(await handler.handle(F.message("!subscribe all high triggered"))?.plainText
                == "#ops is already subscribed to all high triggered (configuration route)")
        #expect(await handler.handle(F.message("!unsubscribe all high triggered"))?.plainText.hasPrefix(
            "Refused: all high triggered is a configuration route of #ops, read-only from chat") == true)
        #expect(router.rules.count == 1)
    }

    @Test func unknownServiceAndDirectMessagesAreExplained() async {
        let router = Router(rules: [])
        let handler = handler(router: router, store: MemoryStore())
        #expect(await handler.handle(F.message("!subscribe web"))?.plainText
                == "Failed: no service named \"web\" — services: api, db, or team:TEAM, or all")
        #expect(await handler.handle(F.direct("subscribe api"))?.plainText.hasPrefix("!subscribe works in a room") == true)
        #expect(await handler.handle(F.message("!subscriptions", in: team))?.plainText.hasPrefix("#team is subscribed to nothing") == true)
        #expect(router.rules.isEmpty)
    }
}
