import Foundation
import HTTPIntake
import HummingbirdTesting
import Testing
import TocsinCore

/// A webhook is answered 2xx only once its event is stored, 5xx when it could not be (PagerDuty
/// retries 5xx and timeouts for 48 h; developer docs, "Webhooks" › "Behavior"), and a retried
/// delivery after a failure is stored, never answered "duplicate". Captured deliveries older than
/// the replay window are refused with a 4xx PagerDuty does not retry.
@Suite struct WebhookDeliveryGuaranteeTests {
    static func sign(_ body: String) -> String { WebhookEndpointTests.sign(body) }

    @Test func eventThatCouldNotBeStoredIsAnswered503() async throws {
        var harness = IntakeHarness()
        let sink = FailingEventSink()
        harness.sink = sink
        let body = WebhookSamples.incident(eventType: "incident.triggered", eventID: "LOST1")
        try await harness.run { client in
            let response = try await client.webhook(body, signature: Self.sign(body))
            #expect(response.status == .serviceUnavailable)
            #expect(response.json["status"] as? String == "error")
        }
        #expect(await sink.attempts == 1)
        #expect(try await !harness.ledger.contains("LOST1", now: IntakeHarness.samplesReceivedAt))
    }

    @Test func retryAfterAFailedStoreIsStoredNotCalledDuplicate() async throws {
        var harness = IntakeHarness()
        let sink = FailingEventSink(failures: 1)
        harness.sink = sink
        let body = WebhookSamples.incident(eventType: "incident.acknowledged", eventID: "RETRY1")
        try await harness.run { client in
            let first = try await client.webhook(body, signature: Self.sign(body))
            #expect(first.status == .serviceUnavailable)
            let retry = try await client.webhook(body, signature: Self.sign(body))
            #expect(retry.status == .accepted)
            #expect(retry.json["status"] as? String == "accepted")
            let third = try await client.webhook(body, signature: Self.sign(body))
            #expect(third.json["status"] as? String == "duplicate")
        }
        #expect(await sink.published.map(\.id) == ["RETRY1"])
        #expect(await sink.attempts == 2)
    }

    @Test func storedEventIdIsRememberedAcrossARestart() async throws {
        let harness = IntakeHarness()
        let body = WebhookSamples.incident(eventType: "incident.resolved", eventID: "KEPT1")
        try await harness.run { client in
            try await client.expectWebhook(body, signature: Self.sign(body), answers: .accepted)
        }
        // A new intake (new process) on the same ledger.
        var restarted = IntakeHarness()
        restarted.ledger = harness.ledger
        try await restarted.run { client in
            let redelivery = try await client.webhook(body, signature: Self.sign(body))
            #expect(redelivery.status == .accepted)
            #expect(redelivery.json["status"] as? String == "duplicate")
        }
        #expect(await restarted.events.published.isEmpty)
    }

    @Test func deliveryOlderThanTheReplayWindowIsRefused422() async throws {
        var harness = IntakeHarness()
        let occurred = Date(timeIntervalSince1970: 1_601_664_322)  // the samples' 2020-10-02T18:45:22Z
        harness.now = occurred.addingTimeInterval(72 * 3600 + 60)
        let body = WebhookSamples.incident(eventType: "incident.triggered", eventID: "REPLAY1")
        try await harness.run { client in
            let response = try await client.webhook(body, signature: Self.sign(body))
            #expect(response.status == .unprocessableContent)
            #expect(response.json["status"] as? String == "expired")
        }
        #expect(await harness.events.published.isEmpty)
    }

    @Test func deliveryInsideTheReplayWindowIsStored() async throws {
        var harness = IntakeHarness()
        let occurred = Date(timeIntervalSince1970: 1_601_664_322)
        harness.now = occurred.addingTimeInterval(71 * 3600)
        let body = WebhookSamples.incident(eventType: "incident.triggered", eventID: "LATE1")
        try await harness.run { client in
            try await client.expectWebhook(body, signature: Self.sign(body), answers: .accepted)
        }
        #expect(await harness.events.published.map(\.id) == ["LATE1"])
    }

    @Test func recordedIdIsKeptUntilTheEventLeavesTheWindow() async throws {
        let harness = IntakeHarness()
        let body = WebhookSamples.incident(eventType: "incident.triggered", eventID: "WINDOW1")
        try await harness.run { client in
            try await client.expectWebhook(body, signature: Self.sign(body), answers: .accepted)
        }
        let occurred = Date(timeIntervalSince1970: 1_601_664_322)
        #expect(try await harness.ledger.contains("WINDOW1", now: occurred.addingTimeInterval(72 * 3600 - 60)))
    }

    @Test func deliveryWithoutOccurredAtIsRefused400() async throws {
        let harness = IntakeHarness()
        let body = WebhookSamples.incident(eventType: "incident.triggered", eventID: "NOTIME")
            .replacingOccurrences(of: #""occurred_at": "2020-10-02T18:45:22.169Z", "#, with: "")
        #expect(!body.contains("occurred_at"))
        try await harness.run { client in
            try await client.expectWebhook(body, signature: Self.sign(body), answers: .badRequest)
        }
        #expect(await harness.events.published.isEmpty)
    }
}
