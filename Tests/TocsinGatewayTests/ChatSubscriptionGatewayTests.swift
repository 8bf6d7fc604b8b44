import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import ServiceLifecycle
import Testing
import TocsinConfig
import TocsinCore
import TocsinGateway

/// Issue 12, item 2, through the whole assembly over a real SQLite file: `!subscribe` in a room
/// without a route makes the next incident announced there, the subscription survives a restart
/// (a second assembly on the same file), and `!unsubscribe` ends it.
@Suite struct ChatSubscriptionGatewayTests {
    static let routingKey = "R0UTINGKEY0000000000000000000002"
    static let team = ChatDestination.room("#team", on: "example")

    static func configuration(database: String) throws -> TocsinConfiguration {
        try ConfigurationLoader.load(yaml: """
            gateway:
              database: \(database)
              public_url: https://tocsin.test
            backend:
              kind: embedded
              embedded:
                services:
                  - {name: api, team: platform, routing_key: {env: TEST_ROUTING_KEY}}
            identities:
              - {chat: irc:example/alice, email: alice@example.org}
            irc:
              - name: example
                host: irc.invalid
                tls: {mode: plaintext}
                nick: tocsin
                rooms: [{name: "#ops"}, {name: "#team"}]
            routes:
              - {network: example, room: "#ops"}
            """, environment: ["TEST_ROUTING_KEY": routingKey])
    }

    static func say(_ text: String, on irc: FakeChatConnection) async {
        await irc.say(InboundMessage(origin: team, senderName: "alice", identity: .irc(network: "example", account: "alice"),
                                     text: text, botNames: ["tocsin"]))
    }

    static func trigger(_ summary: String, _ assembly: GatewayAssembly) async throws {
        try await Application(router: assembly.intakeRouter).test(.router) { client in
            let response = try await client.execute(
                uri: "/v2/enqueue", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: """
                    {"routing_key": "\(routingKey)", "event_action": "trigger", "dedup_key": "\(summary)",
                     "payload": {"summary": "\(summary)", "source": "db1", "severity": "error"}}
                    """))
            #expect(response.status == .accepted)
        }
    }

    /// Runs a fresh assembly on `database` while `body` runs.
    static func withGateway(_ database: String, _ body: @escaping @Sendable (GatewayAssembly, FakeChatConnection) async throws -> Void) async throws {
        let fakes = FakeTransports()
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let assembly = try await GatewayAssembly(
            configuration: try configuration(database: database), metrics: PrometheusCollectorRegistry(),
            logger: logger, transportFactory: fakes.factory, environment: ["TEST_ROUTING_KEY": routingKey])
        let irc = try #require(fakes["example"])
        let group = ServiceGroup(configuration: .init(services: assembly.runtimeServices.map { .init(service: $0) }, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            try await body(assembly, irc)
            await group.triggerGracefulShutdown()
        }
    }

    @Test func subscribeFromChatAnnouncesThereSurvivesARestartAndUnsubscribeEndsIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-subscribe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("tocsin.sqlite").path

        try await Self.withGateway(database) { assembly, irc in
            await Self.say("!subscribe api", on: irc)
            let answer = try await within(.seconds(10)) { await irc.firstDelivery { $0.message.destination == Self.team } }
            #expect(answer.message.text.plainText == "alice: Subscribed: #team now gets api — !unsubscribe api to stop")
            try await Self.trigger("first after subscribe", assembly)
            let announced = try await within(.seconds(10)) {
                await irc.firstDelivery { $0.message.destination == Self.team && $0.message.text.plainText.contains("first after subscribe") }
            }
            #expect(announced.message.text.plainText.hasPrefix("[TRIGGERED] #1 first after subscribe"))
        }
        // A restart: a new process on the same database.
        try await Self.withGateway(database) { assembly, irc in
            #expect(assembly.gateway.router.rules(for: Self.team).map(\.filterDescription) == ["api"])
            try await Self.trigger("second after restart", assembly)
            _ = try await within(.seconds(10)) {
                await irc.firstDelivery { $0.message.destination == Self.team && $0.message.text.plainText.contains("second after restart") }
            }
            await Self.say("!unsubscribe api", on: irc)
            let gone = try await within(.seconds(10)) {
                await irc.firstDelivery { $0.message.text.plainText.hasPrefix("alice: Unsubscribed:") }
            }
            #expect(gone.message.destination == Self.team)
            try await Self.trigger("third after unsubscribe", assembly)
            _ = try await within(.seconds(10)) {
                await irc.firstDelivery { $0.message.text.plainText.contains("third after unsubscribe") }
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(!irc.delivered.contains { $0.message.destination == Self.team && $0.message.text.plainText.contains("third") })
        }
        try await Self.withGateway(database) { assembly, _ in
            #expect(assembly.gateway.router.rules(for: Self.team).isEmpty)
        }
    }
}
