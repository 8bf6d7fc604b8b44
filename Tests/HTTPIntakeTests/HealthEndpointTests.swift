import HTTPIntake
import HummingbirdTesting
import Testing
import TocsinCore

/// `GET /healthz`: 200 while the gateway works, 503 once a component is down.
@Suite struct HealthEndpointTests {
    static func harness(_ statuses: [ComponentHealth.Status]) -> IntakeHarness {
        var harness = IntakeHarness()
        harness.health = [FixedHealth(components: statuses.enumerated().map { index, status in
            ComponentHealth(component: "part-\(index)", status: status, detail: status == .ok ? nil : "reconnecting")
        })]
        return harness
    }

    @Test(arguments: [
        ([ComponentHealth.Status](), "ok"), ([.ok, .ok], "ok"), ([.ok, .degraded], "degraded"),
    ])
    func workingGatewayAnswers200(_ statuses: [ComponentHealth.Status], _ overall: String) async throws {
        try await Self.harness(statuses).run { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.json["status"] as? String == overall)
            #expect((response.json["components"] as? [[String: Any]])?.count == statuses.count)
        }
    }

    @Test func componentDownAnswers503() async throws {
        try await Self.harness([.ok, .degraded, .down]).run { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.json["status"] as? String == "down")
            let components = try #require(response.json["components"] as? [[String: Any]])
            #expect(components.map { $0["component"] as? String } == ["part-0", "part-1", "part-2"])
        }
    }
}
