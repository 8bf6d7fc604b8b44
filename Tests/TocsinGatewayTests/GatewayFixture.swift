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

/// The whole gateway built by the same ``GatewayAssembly`` the executable runs, over a real SQLite
/// file, with in-memory chat transports (``FakeTransports``) and the intake driven in-process: no
/// socket anywhere. One IRC network `example` with `#ops` (routed) and `#team` (no route), the
/// service `api`, and alice mapped to alice@example.org.
enum GatewayFixture {
    static let routingKey = "R0UTINGKEY0000000000000000000001"
    static let environment = ["TEST_ROUTING_KEY": routingKey]
    static let ops = ChatDestination.room("#ops", on: "example")
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
                users:
                  - {name: Alice, email: alice@example.org}
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
            """, environment: environment)
    }

    /// The path of a database file in a fresh directory, removed when `body` returns.
    static func withDatabase(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-gateway-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory.appendingPathComponent("tocsin.sqlite").path)
    }

    /// Assembles a gateway on `database` (no services running).
    static func assemble(_ database: String, transports: FakeTransports = FakeTransports()) async throws -> GatewayAssembly {
        try await GatewayAssembly(
            configuration: try configuration(database: database), metrics: PrometheusCollectorRegistry(),
            logger: logger, transportFactory: transports.factory, environment: environment)
    }

    /// Runs a fresh assembly on `database` while `body` runs, then shuts it down gracefully (a
    /// second call on the same file is a restart).
    static func withGateway(
        _ database: String, _ body: @escaping @Sendable (GatewayAssembly, FakeChatConnection) async throws -> Void
    ) async throws {
        let fakes = FakeTransports()
        let assembly = try await assemble(database, transports: fakes)
        let irc = try #require(fakes["example"])
        let group = ServiceGroup(configuration: .init(services: assembly.runtimeServices.map { .init(service: $0) }, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            try await body(assembly, irc)
            await group.triggerGracefulShutdown()
        }
    }

    /// An Events API v2 trigger for `api` posted to the intake, exactly as a monitoring system posts it.
    static func trigger(_ summary: String, severity: String = "error", on assembly: GatewayAssembly) async throws {
        try await Application(router: assembly.intakeRouter).test(.router) { client in
            let response = try await client.execute(
                uri: "/v2/enqueue", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: """
                    {"routing_key": "\(routingKey)", "event_action": "trigger",
                     "payload": {"summary": "\(summary)", "source": "db1", "severity": "\(severity)"}}
                    """))
            #expect(response.status == .accepted)
        }
    }

    /// alice says `text` in `room`, as the IRC connection reports it.
    static func alice(says text: String, in room: ChatDestination = ops, on irc: FakeChatConnection) async {
        await irc.say(InboundMessage(origin: room, senderName: "alice", identity: .irc(network: "example", account: "alice"),
                                     text: text, botNames: ["tocsin"]))
    }

    private static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
}

struct TimedOut: Error, CustomStringConvertible {
    var description: String { "the gateway did not deliver in time" }
}

/// Runs `body`, failing the test instead of hanging when it does not finish in `limit`.
func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { await body() }
        group.addTask { try? await Task.sleep(for: limit); return nil }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut() }
        return value
    }
}
