import Crypto
import Foundation
import HTTPIntake
import HummingbirdTesting
import Testing
import TocsinCore

/// `POST /webhooks/pagerduty` against PagerDuty Webhooks v3 (developer docs, "Webhooks" › "Overview",
/// "Verifying Signatures", "Behavior").
@Suite struct WebhookEndpointTests {
    /// `v1=<hex HMAC-SHA256(secret, body)>`, computed with swift-crypto directly.
    static func sign(_ body: String, secret: String = IntakeHarness.secrets[0]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    @Test func recordedDocsSampleWithExternallySignedHeaderIsPublished() async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            let response = try await client.webhook(WebhookSamples.priorityUpdated,
                                                    signature: WebhookSamples.priorityUpdatedSignature)
            #expect(response.status == .accepted)
        }
        let published = await harness.events.published
        let event = try #require(published.first)
        #expect(published.count == 1)
        #expect(event.id == "5ac64822-4adc-4fda-ade0-410becf0de4f")
        #expect(event.kind == .priorityUpdated)
        #expect(event.actor == "Tenex Engineer")
        #expect(event.detail == "P1")
        #expect(abs(event.occurredAt.timeIntervalSince1970 - 1_601_664_322.169) < 0.001)
        let incident = event.incident
        #expect(incident.number == 2)
        #expect(incident.id == "PGR0VU2")
        #expect(incident.title == "A little bump in the road")
        #expect(incident.service == "API Service")
        #expect(incident.team == "Engineering")
        #expect(incident.assignee == "User 123")
        #expect(incident.urgency == .high)
        #expect(incident.status == .triggered)
        #expect(incident.url == "https://acme.pagerduty.com/incidents/PGR0VU2")
        #expect(incident.createdAt == Date(timeIntervalSince1970: 1_586_445_387))
    }

    @Test func forgedSignatureIsRefused403() async throws {
        let harness = IntakeHarness()
        let body = WebhookSamples.incident(eventType: "incident.triggered", eventID: "E1")
        try await harness.run { client in
            let response = try await client.webhook(body, signature: Self.sign(body, secret: "not-the-secret"))
            #expect(response.status == .forbidden)
        }
        #expect(await harness.events.published.isEmpty)
    }

    @Test func signatureWithTheSecondSecretIsAcceptedDuringRotation() async throws {
        let harness = IntakeHarness()
        let body = WebhookSamples.incident(eventType: "incident.acknowledged", eventID: "E2", status: "acknowledged")
        try await harness.run { client in
            let response = try await client.webhook(body, signature: Self.sign(body, secret: IntakeHarness.secrets[1]))
            #expect(response.status == .accepted)
        }
        let published = await harness.events.published
        #expect(published.map(\.kind) == [.acknowledged])
        #expect(published.first?.incident.status == .acknowledged)
    }

    /// The docs' own example sends two signatures; any one valid is enough.
    @Test(arguments: [", ", ","])
    func severalSignaturesWithOneValidAreAccepted(_ separator: String) async throws {
        let harness = IntakeHarness()
        let body = WebhookSamples.incident(eventType: "incident.resolved", eventID: "E3", status: "resolved")
        let header = [Self.sign(body, secret: "old-secret-already-removed"), "v0=abcd", Self.sign(body)]
            .joined(separator: separator)
        try await harness.run { client in
            let response = try await client.webhook(body, signature: header)
            #expect(response.status == .accepted)
        }
        #expect(await harness.events.published.map(\.kind) == [.resolved])
    }

    @Test func missingSignatureHeaderIsRefused400() async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            let response = try await client.webhook(WebhookSamples.priorityUpdated, signature: nil)
            #expect(response.status == .badRequest)
        }
        #expect(await harness.events.published.isEmpty)
    }

    @Test(arguments: ["", "sha256=69960d484cd87a1ed82bfa9aef7ca107e9d70326fcff87f453304b40058176e1", "v1=",
                      "v1=not-hex-at-all", "v1=abc", "garbage, more garbage"])
    func malformedSignatureHeaderIsRefused400(_ header: String) async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            let response = try await client.webhook(WebhookSamples.priorityUpdated, signature: header)
            #expect(response.status == .badRequest)
        }
        #expect(await harness.events.published.isEmpty)
    }

    @Test func bodyAlteredAfterSigningIsRefused403() async throws {
        let harness = IntakeHarness()
        let altered = WebhookSamples.priorityUpdated.replacingOccurrences(of: "\"P1\"", with: "\"P5\"")
        try await harness.run { client in
            let response = try await client.webhook(altered, signature: WebhookSamples.priorityUpdatedSignature)
            #expect(response.status == .forbidden)
            let reformatted = WebhookSamples.priorityUpdated.replacingOccurrences(of: "\n", with: "")
            let second = try await client.webhook(reformatted, signature: WebhookSamples.priorityUpdatedSignature)
            #expect(second.status == .forbidden)
        }
        #expect(await harness.events.published.isEmpty)
    }

    @Test func sameEventDeliveredTwiceIsPublishedOnce() async throws {
        let harness = IntakeHarness()
        let body = WebhookSamples.incident(eventType: "incident.triggered", eventID: "01DUPLICATE")
        try await harness.run { client in
            let first = try await client.webhook(body, signature: Self.sign(body))
            let second = try await client.webhook(body, signature: Self.sign(body, secret: IntakeHarness.secrets[1]))
            #expect(first.status == .accepted)
            #expect(second.status == .accepted)
            #expect(second.json["status"] as? String == "duplicate")
        }
        #expect(await harness.events.published.map(\.id) == ["01DUPLICATE"])
    }

    @Test(arguments: [WebhookSamples.ping, WebhookSamples.serviceUpdated,
                      WebhookSamples.incident(eventType: "incident.responder.added", eventID: "E4"),
                      WebhookSamples.incident(eventType: "incident.delegated", eventID: "E5"),
                      WebhookSamples.incident(eventType: "incident.some_future_type", eventID: "E6")])
    func unannouncedEventTypeIsAcceptedAndIgnored(_ body: String) async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            let response = try await client.webhook(body, signature: Self.sign(body))
            #expect(response.status == .accepted)
            #expect(response.json["status"] as? String == "ignored")
        }
        #expect(await harness.events.published.isEmpty)
    }

    @Test func annotatedEventCarriesTheNoteAndTheIncidentSeenBefore() async throws {
        let harness = IntakeHarness()
        let triggered = WebhookSamples.incident(eventType: "incident.triggered", eventID: "E7", number: 1234)
        let note = WebhookSamples.annotated(content: "rolled back the deploy")
        try await harness.run { client in
            try await client.expectWebhook(triggered, signature: Self.sign(triggered), answers: .accepted)
            try await client.expectWebhook(note, signature: Self.sign(note), answers: .accepted)
        }
        let published = await harness.events.published
        #expect(published.map(\.kind) == [.triggered, .annotated])
        let annotated = try #require(published.last)
        #expect(annotated.detail == "rolled back the deploy")
        #expect(annotated.actor == "Tenex Engineer")
        #expect(annotated.incident.number == 1234)
        #expect(annotated.incident.service == "API Service")
        #expect(annotated.incident.urgency == .low)
        #expect(annotated.incident.title == "A little bump in the road")
    }

    @Test func annotatedEventOfAnUnseenIncidentStillCarriesTheNote() async throws {
        let harness = IntakeHarness()
        let note = WebhookSamples.annotated()
        try await harness.run { client in
            try await client.expectWebhook(note, signature: Self.sign(note), answers: .accepted)
        }
        let annotated = try #require(await harness.events.published.first)
        #expect(annotated.kind == .annotated)
        #expect(annotated.detail == "I sure am glad we are using PagerDuty!")
        #expect(annotated.incident.id == "PGR0VU2")
        #expect(annotated.incident.title == "A little bump in the road")
        #expect(annotated.incident.url == "https://acme.pagerduty.com/incidents/PGR0VU2")
        #expect(annotated.incident.number == 0)
    }

    @Test func reassignedEventCarriesTheNewAssignees() async throws {
        let harness = IntakeHarness()
        let body = WebhookSamples.incident(eventType: "incident.reassigned", eventID: "E8", assignees: ["Maeve", "Kim"])
        try await harness.run { client in
            try await client.expectWebhook(body, signature: Self.sign(body), answers: .accepted)
        }
        let event = try #require(await harness.events.published.first)
        #expect(event.kind == .reassigned)
        #expect(event.detail == "Maeve, Kim")
        #expect(event.incident.assignee == "Maeve")
    }

    @Test func eventMadeByPagerDutyItselfHasNoActor() async throws {
        let harness = IntakeHarness()
        let body = WebhookSamples.incident(eventType: "incident.escalated", eventID: "E9", agent: nil)
        try await harness.run { client in
            try await client.expectWebhook(body, signature: Self.sign(body), answers: .accepted)
        }
        let event = try #require(await harness.events.published.first)
        #expect(event.kind == .escalated)
        #expect(event.actor == nil)
    }

    @Test func serviceNameComesFromTheConfiguredMappingWhenThereIsOne() async throws {
        var harness = IntakeHarness()
        harness.configuration.serviceNamesByPagerDutyID = ["PF9KMXH": "checkout-api"]
        let body = WebhookSamples.incident(eventType: "incident.triggered", eventID: "E10")
        try await harness.run { client in
            try await client.expectWebhook(body, signature: Self.sign(body), answers: .accepted)
        }
        #expect(await harness.events.published.first?.incident.service == "checkout-api")
    }

    @Test func signedBodyThatIsNotAnEventIsRefused400() async throws {
        let harness = IntakeHarness()
        let body = #"{"messages": []}"#
        try await harness.run { client in
            try await client.expectWebhook(body, signature: Self.sign(body), answers: .badRequest)
        }
        #expect(await harness.events.published.isEmpty)
    }

    @Test func bodyOverTheCapIsRefusedUnread() async throws {
        var harness = IntakeHarness()
        harness.configuration.maxBodyBytes = 1024
        try await harness.run { client in
            let response = try await client.webhook(WebhookSamples.priorityUpdated,
                                                    signature: WebhookSamples.priorityUpdatedSignature)
            #expect(response.status == .contentTooLarge)
        }
        #expect(await harness.events.published.isEmpty)
    }

    @Test func webhooksWithoutConfiguredSecretsAnswer404() async throws {
        var harness = IntakeHarness()
        harness.configuration.webhookSecrets = []
        try await harness.run { client in
            let response = try await client.webhook(WebhookSamples.priorityUpdated,
                                                    signature: WebhookSamples.priorityUpdatedSignature)
            #expect(response.status == .notFound)
        }
        #expect(await harness.events.published.isEmpty)
    }

    /// PagerDuty gives up after 5 s: a store slower than the deadline is answered 503 (retry) at the
    /// deadline, goes on, and the redelivery finds the id recorded.
    @Test func slowStoreIsAnswered503AtTheDeadlineAndItsRedeliveryIsADuplicate() async throws {
        var harness = IntakeHarness()
        let sink = RecordingEventSink(holdUntilReleased: true)
        harness.events = sink
        harness.configuration.webhookAnswerDeadline = .milliseconds(50)
        let ledger = harness.ledger
        let body = WebhookSamples.incident(eventType: "incident.triggered", eventID: "E11")
        try await harness.run { client in
            let response = try await client.webhook(body, signature: Self.sign(body))
            #expect(response.status == .serviceUnavailable)
            // The sink is still blocked: the answer did not wait for it, and nothing is recorded yet.
            #expect(await sink.published.isEmpty)
            #expect(await !ledger.contains("E11", now: IntakeHarness.samplesReceivedAt))
            await sink.release()
            for _ in 0..<50 where await !ledger.contains("E11", now: IntakeHarness.samplesReceivedAt) {
                try await Task.sleep(for: .milliseconds(100))
            }
            let redelivery = try await client.webhook(body, signature: Self.sign(body))
            #expect(redelivery.status == .accepted)
            #expect(redelivery.json["status"] as? String == "duplicate")
        }
        #expect(await harness.events.published.map(\.id) == ["E11"])
    }
}
