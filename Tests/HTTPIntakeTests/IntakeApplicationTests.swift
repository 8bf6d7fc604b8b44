import HTTPIntake
import HummingbirdTesting
import Logging
import Testing
import TocsinCore

/// The application the executable runs, served over a real loopback socket.
@Suite struct IntakeApplicationTests {
    @Test func builtApplicationServesEveryEndpointOverHTTP() async throws {
        let harness = IntakeHarness()
        let app = buildIntakeApplication(
            configuration: harness.configuration,
            dependencies: IntakeDependencies(alerts: harness.alerts, events: harness.events, health: [],
                                             metrics: harness.registry, now: { IntakeHarness.samplesReceivedAt }),
            host: "127.0.0.1", port: 0,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        try await app.test(.live) { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            let enqueued = try await client.enqueue(EnqueueEndpointTests.alertmanagerTrigger)
            #expect(enqueued.status == .accepted)
            try await client.expectWebhook(WebhookSamples.priorityUpdated,
                                           signature: WebhookSamples.priorityUpdatedSignature, answers: .accepted)
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .ok)
        }
        #expect(await harness.alerts!.received.count == 1)
        #expect(await harness.events.published.count == 1)
    }
}
