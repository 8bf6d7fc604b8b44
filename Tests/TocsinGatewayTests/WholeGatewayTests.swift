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
/// file, with in-memory chat transports and the intake driven in-process: no socket anywhere.
@Suite struct WholeGatewayTests {
    static let routingKey = "R0UTINGKEY0000000000000000000001"

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
                rooms: [{name: "#ops"}]
            routes:
              - {network: example, room: "#ops"}
            """, environment: ["TEST_ROUTING_KEY": routingKey])
    }

    @Test func alertEnqueuedOverHTTPIsAnnouncedAndAckFromMappedIdentityIsAnswered() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-gateway-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("tocsin.sqlite").path

        let fakes = FakeTransports()
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let assembly = try await GatewayAssembly(
            configuration: try Self.configuration(database: database), metrics: PrometheusCollectorRegistry(),
            logger: logger, transportFactory: fakes.factory, environment: ["TEST_ROUTING_KEY": Self.routingKey])
        let irc = try #require(fakes["example"])
        #expect(assembly.transports.map(\.network) == ["example"])

        let group = ServiceGroup(configuration: .init(services: assembly.runtimeServices.map { .init(service: $0) }, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }

            // Intake: an Events API v2 trigger, exactly as a monitoring system posts it.
            try await Application(router: assembly.intakeRouter).test(.router) { client in
                let response = try await client.execute(
                    uri: "/v2/enqueue", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: """
                        {"routing_key": "\(Self.routingKey)", "event_action": "trigger",
                         "payload": {"summary": "disk full on db1", "source": "db1", "severity": "critical"}}
                        """))
                #expect(response.status == .accepted)
            }

            // Route → announce: the room the route names hears it, through the fake transport.
            let announcement = try await within(.seconds(10)) {
                await irc.firstDelivery { $0.message.text.plainText.contains("disk full on db1") }
            }
            #expect(announcement.message.destination == .room("#ops", on: "example"))
            #expect(announcement.message.priority == .critical)

            // Command → reply: a mapped identity acknowledges incident 1 from the room.
            await irc.say(InboundMessage(
                origin: .room("#ops", on: "example"), senderName: "alice",
                identity: .irc(network: "example", account: "alice"), text: "!ack 1", botNames: ["tocsin"]))
            // #ops is routed for the acknowledgement too: its announcement there is the answer
            // (issue 12: one line per action in the room where it was typed).
            let reply = try await within(.seconds(10)) {
                await irc.firstDelivery { $0.message.text.plainText.contains("Acknowledged #1") }
            }
            #expect(reply.message.destination == .room("#ops", on: "example"))
            #expect(reply.message.text.plainText.hasPrefix("alice: Acknowledged #1 disk full on db1"))
            #expect(reply.message.priority == .critical)

            // A read command goes through the incident API (timed for /metrics).
            await irc.say(InboundMessage(
                origin: .room("#ops", on: "example"), senderName: "alice",
                identity: .irc(network: "example", account: "alice"), text: "!incidents", botNames: ["tocsin"]))
            let listing = try await within(.seconds(10)) {
                await irc.firstDelivery { $0.message.priority == .readReply }
            }
            #expect(listing.message.text.plainText.contains("#1"))
            // Three lines in #ops for trigger, !ack and !incidents: the acknowledgement was said once.
            #expect(irc.delivered.filter { $0.message.destination == .room("#ops", on: "example") }.count == 3)

            // Operators see it: readiness per component and the commands in /metrics.
            try await Application(router: assembly.intakeRouter).test(.router) { client in
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .ok)
                let readyText = String(buffer: ready.body)
                #expect(readyText.contains(#""status":"ok""#))
                for component in ["fake:example", "outbox", "embedded"] {
                    #expect(readyText.contains(#""component":"\#(component)""#))
                }
                let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                #expect(metrics.contains(#"tocsin_commands_total{command="ack",outcome="ok"} 1"#))
                #expect(metrics.contains(#"tocsin_commands_total{command="incidents",outcome="ok"} 1"#))
                #expect(metrics.contains(#"tocsin_incident_api_call_duration_seconds_count{operation="open_incidents",outcome="ok"} 1"#))
                #expect(metrics.contains(#"tocsin_build_info{version="\#(TocsinVersion.current)"} 1"#))
                #expect(metrics.contains(#"tocsin_open_incidents{backend="embedded"} 1"#))
            }
            await group.triggerGracefulShutdown()
        }
    }
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
