import Foundation
import HTTPIntake
import HummingbirdTesting
import Testing
import TocsinCore

/// `POST /v2/enqueue` against PagerDuty's Events API v2 contract (developer docs, "Events API v2").
@Suite struct EnqueueEndpointTests {
    /// What Alertmanager's pagerduty receiver sends for a firing group (notify/pagerduty), plus a field
    /// PagerDuty does not define, which must be ignored.
    static let alertmanagerTrigger = """
        {"routing_key": "\(IntakeHarness.routingKey)", "event_action": "trigger",
         "dedup_key": "4f8a0c1d7e9b2a3c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4",
         "payload": {"summary": "[FIRING:1] HighErrorRate checkout", "source": "alertmanager", "severity": "critical",
                     "class": "latency", "component": "api", "group": "prod",
                     "custom_details": {"firing": "HighErrorRate", "num_firing": "1"}},
         "client": "Alertmanager", "client_url": "http://alertmanager:9093/#/alerts?receiver=tocsin",
         "images": [{"src": "https://grafana.example/render.png", "alt": "graph", "href": ""}],
         "links": [{"href": "https://grafana.example/d/abc", "text": "Dashboard"}],
         "unknown_future_field": {"anything": [1, 2, 3]}}
        """

    @Test func alertmanagerTriggerIsStoredAndAnswered202WithItsDedupKey() async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            let response = try await client.enqueue(Self.alertmanagerTrigger)
            #expect(response.status == .accepted)
            #expect(response.json["status"] as? String == "success")
            #expect(response.json["message"] as? String == "Event processed")
            #expect(response.json["dedup_key"] as? String
                == "4f8a0c1d7e9b2a3c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4")
        }
        let received = await harness.alerts!.received
        #expect(received == [AlertEvent(
            service: "checkout", action: .trigger,
            dedupKey: "4f8a0c1d7e9b2a3c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4",
            summary: "[FIRING:1] HighErrorRate checkout", source: "alertmanager", severity: .critical,
            component: "api", links: ["https://grafana.example/d/abc"]
        )])
    }

    @Test func triggerWithoutDedupKeyGetsAGeneratedOneInTheAnswer() async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            let response = try await client.enqueue("""
                {"routing_key": "\(IntakeHarness.routingKey)", "event_action": "trigger",
                 "payload": {"summary": "disk full", "source": "db-1", "severity": "warning"}}
                """)
            #expect(response.status == .accepted)
            let key = try #require(response.json["dedup_key"] as? String)
            #expect(key.count == 32)
            #expect(key.allSatisfy { $0.isHexDigit && !$0.isUppercase })
            let received = await harness.alerts!.received
            #expect(received.map(\.dedupKey) == [key])
        }
    }

    @Test func twoTriggersWithoutDedupKeyGetDifferentKeys() async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            let body = """
                {"routing_key": "\(IntakeHarness.routingKey)", "event_action": "trigger",
                 "payload": {"summary": "disk full", "source": "db-1", "severity": "info"}}
                """
            let first = try await client.enqueue(body).json["dedup_key"] as? String
            let second = try await client.enqueue(body).json["dedup_key"] as? String
            #expect(first != nil && first != second)
        }
    }

    @Test func acknowledgeAndResolveNeedOnlyTheDedupKey() async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            for action in ["acknowledge", "resolve"] {
                let response = try await client.enqueue("""
                    {"routing_key": "\(IntakeHarness.secondRoutingKey)", "event_action": "\(action)", "dedup_key": "srv-42"}
                    """)
                #expect(response.status == .accepted)
                #expect(response.json["dedup_key"] as? String == "srv-42")
            }
        }
        let received = await harness.alerts!.received
        #expect(received == [
            AlertEvent(service: "payments", action: .acknowledge, dedupKey: "srv-42"),
            AlertEvent(service: "payments", action: .resolve, dedupKey: "srv-42"),
        ])
    }

    /// Alertmanager sends its trigger payload with resolves; only triggers need a valid payload.
    @Test func resolveCarryingAPayloadIsNotCheckedForIt() async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            let response = try await client.enqueue("""
                {"routing_key": "\(IntakeHarness.routingKey)", "event_action": "resolve", "dedup_key": "k",
                 "payload": {"summary": "", "severity": "whatever"}}
                """)
            #expect(response.status == .accepted)
        }
        #expect(await harness.alerts!.received.map(\.action) == [.resolve])
    }

    @Test func summaryOf1024AndDedupKeyOf255CharactersAreAccepted() async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            let response = try await client.enqueue("""
                {"routing_key": "\(IntakeHarness.routingKey)", "event_action": "trigger",
                 "dedup_key": "\(String(repeating: "k", count: 255))",
                 "payload": {"summary": "\(String(repeating: "é", count: 1024))", "source": "s", "severity": "error"}}
                """)
            #expect(response.status == .accepted)
        }
        #expect(await harness.alerts!.received.count == 1)
    }

    @Test(arguments: MalformedEvent.all)
    func malformedEventIsRefusedWithEveryProblemListedAndNothingStored(_ malformed: MalformedEvent) async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            let response = try await client.enqueue(malformed.body)
            #expect(response.status == .badRequest)
            #expect(response.json["status"] as? String == "invalid event")
            #expect(response.json["message"] as? String == "Event object is invalid")
            #expect(response.errors.sorted() == malformed.errors.sorted())
        }
        #expect(await harness.alerts!.received.isEmpty)
    }

    @Test func bodyOverTheDefault512KiBCapIsRefused413() async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            let details = String(repeating: "x", count: 600 * 1024)
            let response = try await client.enqueue("""
                {"routing_key": "\(IntakeHarness.routingKey)", "event_action": "trigger",
                 "payload": {"summary": "big", "source": "s", "severity": "info", "custom_details": {"blob": "\(details)"}}}
                """)
            #expect(response.status == .contentTooLarge)
            #expect(response.json["message"] as? String == "Event object is invalid")
            #expect(response.errors == ["Event is larger than 524288 bytes"])
        }
        #expect(await harness.alerts!.received.isEmpty)
    }

    @Test func bodyOverAConfiguredCapIsRefused413() async throws {
        var harness = IntakeHarness()
        harness.configuration.maxBodyBytes = 64
        try await harness.run { client in
            let response = try await client.enqueue(Self.alertmanagerTrigger)
            #expect(response.status == .contentTooLarge)
            #expect(response.errors == ["Event is larger than 64 bytes"])
        }
        #expect(await harness.alerts!.received.isEmpty)
    }

    @Test func formEncodedBodyIsRefused() async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            let response = try await client.enqueue(Self.alertmanagerTrigger,
                                                    contentType: "application/x-www-form-urlencoded")
            #expect(response.status == .badRequest)
            #expect(response.errors == ["Content-Type must be application/json"])
        }
        #expect(await harness.alerts!.received.isEmpty)
    }

    @Test func bodyWithoutContentTypeIsReadAsJSON() async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            let response = try await client.enqueue(Self.alertmanagerTrigger, contentType: nil)
            #expect(response.status == .accepted)
        }
        #expect(await harness.alerts!.received.count == 1)
    }

    @Test func backendWithoutEventsIntakeAnswers404SayingSo() async throws {
        var harness = IntakeHarness()
        harness.alerts = nil
        try await harness.run { client in
            let response = try await client.enqueue(Self.alertmanagerTrigger)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect((response.json["message"] as? String)?.contains("PagerDuty") == true)
        }
    }

    @Test func failingStoreAnswers500SoClientsRetry() async throws {
        var harness = IntakeHarness()
        harness.alerts = RecordingAlertIntake(failing: true)
        try await harness.run { client in
            let response = try await client.enqueue(Self.alertmanagerTrigger)
            #expect(response.status == .internalServerError)
            #expect(response.json["status"] as? String == "error")
        }
    }
}

/// One way to get an Events API event wrong, and every error PagerDuty-style validation must list.
struct MalformedEvent: Sendable, CustomTestStringConvertible {
    var name: String
    var body: String
    var errors: [String]

    var testDescription: String { name }

    static let key = IntakeHarness.routingKey
    static let goodPayload = #"{"summary": "s", "source": "src", "severity": "error"}"#

    static let all: [MalformedEvent] = [
        MalformedEvent(name: "not JSON", body: "{routing_key: nope", errors: ["Request body is not valid JSON"]),
        MalformedEvent(name: "empty body", body: "", errors: ["Request body is not valid JSON"]),
        MalformedEvent(name: "JSON but not an object", body: #"["trigger"]"#, errors: ["Event must be a JSON object"]),
        MalformedEvent(
            name: "missing routing key",
            body: #"{"event_action": "trigger", "payload": \#(goodPayload)}"#,
            errors: ["'routing_key' is missing or blank"]),
        MalformedEvent(
            name: "unknown routing key",
            body: #"{"routing_key": "00000000000000000000000000000000", "event_action": "trigger", "payload": \#(goodPayload)}"#,
            errors: ["Invalid routing key"]),
        MalformedEvent(
            name: "routing key not a string",
            body: #"{"routing_key": 42, "event_action": "trigger", "payload": \#(goodPayload)}"#,
            errors: ["'routing_key' must be a string"]),
        MalformedEvent(
            name: "missing event action",
            body: #"{"routing_key": "\#(key)", "dedup_key": "k"}"#,
            errors: ["'event_action' is missing or blank"]),
        MalformedEvent(
            name: "bad event action",
            body: #"{"routing_key": "\#(key)", "event_action": "explode", "dedup_key": "k"}"#,
            errors: ["'event_action' must be one of trigger, acknowledge, resolve"]),
        MalformedEvent(
            name: "trigger without payload",
            body: #"{"routing_key": "\#(key)", "event_action": "trigger"}"#,
            errors: ["'payload' is missing or not an object"]),
        MalformedEvent(
            name: "payload missing summary, source and severity",
            body: #"{"routing_key": "\#(key)", "event_action": "trigger", "payload": {"component": "db"}}"#,
            errors: ["'payload.summary' is missing or blank", "'payload.source' is missing or blank",
                     "'payload.severity' is missing or blank"]),
        MalformedEvent(
            name: "blank summary",
            body: #"{"routing_key": "\#(key)", "event_action": "trigger", "payload": {"summary": "  ", "source": "s", "severity": "info"}}"#,
            errors: ["'payload.summary' is missing or blank"]),
        MalformedEvent(
            name: "summary over 1024 characters",
            body: #"{"routing_key": "\#(key)", "event_action": "trigger", "payload": {"summary": "\#(String(repeating: "a", count: 1025))", "source": "s", "severity": "info"}}"#,
            errors: ["'payload.summary' is too long (maximum is 1024 characters)"]),
        MalformedEvent(
            name: "dedup key over 255 characters",
            body: #"{"routing_key": "\#(key)", "event_action": "resolve", "dedup_key": "\#(String(repeating: "d", count: 256))"}"#,
            errors: ["'dedup_key' is too long (maximum is 255 characters)"]),
        MalformedEvent(
            name: "unknown severity",
            body: #"{"routing_key": "\#(key)", "event_action": "trigger", "payload": {"summary": "s", "source": "s", "severity": "fatal"}}"#,
            errors: ["'payload.severity' must be one of critical, error, warning, info"]),
        MalformedEvent(
            name: "acknowledge without dedup key",
            body: #"{"routing_key": "\#(key)", "event_action": "acknowledge"}"#,
            errors: ["'dedup_key' is required for acknowledge events"]),
        MalformedEvent(
            name: "resolve with blank dedup key",
            body: #"{"routing_key": "\#(key)", "event_action": "resolve", "dedup_key": ""}"#,
            errors: ["'dedup_key' is required for resolve events"]),
        MalformedEvent(
            name: "link without href",
            body: #"{"routing_key": "\#(key)", "event_action": "trigger", "payload": \#(goodPayload), "links": [{"text": "dashboard"}]}"#,
            errors: ["'links[0].href' is missing or blank"]),
        MalformedEvent(
            name: "every problem at once",
            body: #"{"routing_key": "nope", "event_action": "trigger", "dedup_key": "\#(String(repeating: "d", count: 300))", "payload": {"summary": "s", "severity": "loud", "component": 7}}"#,
            errors: ["Invalid routing key", "'dedup_key' is too long (maximum is 255 characters)",
                     "'payload.source' is missing or blank",
                     "'payload.severity' must be one of critical, error, warning, info",
                     "'payload.component' must be a string"]),
    ]
}
