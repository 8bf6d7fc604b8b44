import Foundation
import HTTPIntake
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing
import TocsinCore

/// Builds the intake router with fakes and drives it in-process (HummingbirdTesting `.router`).
struct IntakeHarness {
    static let routingKey = "R0UT1NGKEY0000000000000000000001"
    static let secondRoutingKey = "R0UT1NGKEY0000000000000000000002"
    static let secrets = ["pd-webhook-secret-one", "pd-webhook-secret-two"]

    var configuration = IntakeConfiguration(
        routingKeys: [routingKey: "checkout", secondRoutingKey: "payments"],
        webhookSecrets: secrets,
        serviceNamesByPagerDutyID: [:]
    )
    var alerts: RecordingAlertIntake? = RecordingAlertIntake()
    var events = RecordingEventSink()
    /// A sink used instead of ``events`` (a failing one).
    var sink: (any IncidentEventSink)?
    var health: [any HealthSource] = []
    var registry = PrometheusCollectorRegistry()
    /// Shared between runs to stand for the durable ledger across a restart.
    var ledger = InMemoryWebhookEventLedger()
    /// A few hours after the samples' `occurred_at` (2020-10-02T18:45:22Z), inside the replay window.
    var now = IntakeHarness.samplesReceivedAt

    static let samplesReceivedAt = Date(timeIntervalSince1970: 1_601_683_200)  // 2020-10-03T00:00:00Z

    func run(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let now = now
        let dependencies = IntakeDependencies(alerts: alerts, events: sink ?? events, webhookLedger: ledger, health: health,
                                              metrics: registry, now: { now })
        let router = buildIntakeRouter(
            configuration: configuration, dependencies: dependencies,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        try await Application(router: router).test(.router, test)
    }
}

extension TestClientProtocol {
    /// `POST /v2/enqueue` with a JSON body, as Alertmanager sends it.
    func enqueue(_ body: String, contentType: String? = "application/json") async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let contentType { headers[.contentType] = contentType }
        return try await execute(uri: "/v2/enqueue", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// `POST /webhooks/pagerduty` with the given signature header value (nil: no header).
    func webhook(_ body: String, signature: String?) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let signature { headers[HTTPField.Name("X-PagerDuty-Signature")!] = signature }
        return try await execute(uri: "/webhooks/pagerduty", method: .post, headers: headers,
                                 body: ByteBuffer(string: body))
    }
}

extension TestClientProtocol {
    /// Posts a webhook and checks the answer's status.
    func expectWebhook(
        _ body: String, signature: String?, answers status: HTTPResponse.Status,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let response = try await webhook(body, signature: signature)
        #expect(response.status == status, sourceLocation: sourceLocation)
    }
}

extension TestResponse {
    /// The body as a JSON object.
    var json: [String: Any] {
        let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))
        return object as? [String: Any] ?? [:]
    }

    var text: String { String(decoding: body.readableBytesView, as: UTF8.self) }
}

extension TestResponse {
    /// `errors` of an Events API error body.
    var errors: [String] { json["errors"] as? [String] ?? [] }
}
