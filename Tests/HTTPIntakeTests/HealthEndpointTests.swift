import HTTPIntake
import HummingbirdTesting
import Testing
import TocsinCore

/// `GET /healthz` is liveness (200 while the process serves); `GET /readyz` is readiness per
/// component, 503 only when nothing can work.
@Suite struct HealthEndpointTests {
    static func harness(_ components: [ComponentHealth]) -> IntakeHarness {
        var harness = IntakeHarness()
        harness.health = [FixedHealth(components: components)]
        return harness
    }

    static func network(_ name: String, _ status: ComponentHealth.Status, joined: Int = 1, of configured: Int = 1) -> ComponentHealth {
        ComponentHealth(component: name, status: status, detail: status == .ok ? "connected" : "reconnecting",
                        connected: status != .down, roomsJoined: status == .down ? 0 : joined, roomsConfigured: configured)
    }

    @Test func healthzIsAliveEvenWhenEveryComponentIsDown() async throws {
        try await Self.harness([Self.network("irc:a", .down), ComponentHealth(component: "outbox", status: .down)]).run { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(response.json["status"] as? String == "ok")
            #expect(response.json["components"] == nil)
        }
    }

    @Test func readyzWithOneOfTwoNetworksDownIsDegradedAnd200() async throws {
        try await Self.harness([Self.network("irc:a", .ok), Self.network("xmpp:b", .down)]).run { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .ok)
            #expect(response.json["status"] as? String == "degraded")
            #expect((response.json["reason"] as? String)?.contains("xmpp:b is down") == true)
        }
    }

    @Test func readyzWithEveryNetworkDownAnswers503() async throws {
        try await Self.harness([Self.network("irc:a", .down), Self.network("xmpp:b", .down)]).run { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.json["status"] as? String == "down")
        }
    }

    @Test func readyzReportsRoomsOutboxAndCircuitAsFields() async throws {
        let components = [
            Self.network("irc:a", .degraded, joined: 2, of: 3),
            ComponentHealth(component: "outbox", status: .ok, kind: .outbox, depth: 4, oldestAgeSeconds: 12.5),
            ComponentHealth(component: "pagerduty", status: .down, detail: "circuit open", kind: .incidentAPI, circuit: .open),
        ]
        try await Self.harness(components).run { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .ok)
            #expect(response.json["status"] as? String == "degraded")
            let parts = try #require(response.json["components"] as? [[String: Any]])
            #expect(parts.map { $0["component"] as? String } == ["irc:a", "outbox", "pagerduty"])
            #expect(parts[0]["roomsJoined"] as? Int == 2 && parts[0]["roomsConfigured"] as? Int == 3)
            #expect(parts[0]["connected"] as? Bool == true)
            #expect(parts[1]["depth"] as? Int == 4 && parts[1]["oldestAgeSeconds"] as? Double == 12.5)
            #expect(parts[2]["circuit"] as? String == "open" && parts[2]["kind"] as? String == "incident_api")
        }
    }
}
