import HTTPIntake
import HummingbirdTesting
import Prometheus
import Testing
import TocsinCore

/// `/metrics`: every gateway series with its HELP line, gauges refreshed from health at each scrape.
@Suite struct GatewayMetricsTests {
    static func text(_ registry: PrometheusCollectorRegistry) -> String {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func commandCounterAndLatencyHistogramByCommandAndOutcome() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry)
        metrics.commandFinished("ack", outcome: .ok, duration: .milliseconds(3))
        metrics.commandFinished("ack", outcome: .ok, duration: .milliseconds(40))
        metrics.commandFinished("resolve", outcome: .failed, duration: .seconds(2))
        let text = Self.text(registry)
        #expect(text.contains("# HELP tocsin_commands_total Chat commands answered"))
        #expect(text.contains("# TYPE tocsin_commands_total counter"))
        #expect(text.contains(#"tocsin_commands_total{command="ack",outcome="ok"} 2"#))
        #expect(text.contains(#"tocsin_commands_total{command="resolve",outcome="failed"} 1"#))
        #expect(text.contains("# HELP tocsin_command_duration_seconds "))
        #expect(text.contains("# TYPE tocsin_command_duration_seconds histogram"))
        #expect(text.contains(#"tocsin_command_duration_seconds_bucket{command="ack",outcome="ok",le="0.005"} 1"#))
        #expect(text.contains(#"tocsin_command_duration_seconds_bucket{command="ack",outcome="ok",le="0.05"} 2"#))
        #expect(text.contains(#"tocsin_command_duration_seconds_count{command="resolve",outcome="failed"} 1"#))
    }

    @Test func apiCallLatencyAndBuildInfo() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry)
        metrics.recordBuildInfo(version: "9.8.7")
        metrics.apiCallFinished("acknowledge", succeeded: false, duration: .milliseconds(120))
        let text = Self.text(registry)
        #expect(text.contains("# HELP tocsin_build_info "))
        #expect(text.contains(#"tocsin_build_info{version="9.8.7"} 1"#))
        #expect(text.contains("# HELP tocsin_incident_api_call_duration_seconds "))
        #expect(text.contains(#"tocsin_incident_api_call_duration_seconds_count{operation="acknowledge",outcome="error"} 1"#))
    }

    @Test func gaugesFollowTheHealthComponents() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(registry: registry)
        metrics.refresh(from: [
            ComponentHealth(component: "irc:a", status: .degraded, connected: true, roomsJoined: 2, roomsConfigured: 3),
            ComponentHealth(component: "xmpp:b", status: .down, connected: false, roomsJoined: 0, roomsConfigured: 1),
            ComponentHealth(component: "outbox", status: .ok, kind: .outbox, depth: 7, oldestAgeSeconds: 42),
            ComponentHealth(component: "pagerduty", status: .degraded, kind: .incidentAPI, circuit: .halfOpen),
            ComponentHealth(component: "embedded", status: .ok, kind: .incidentAPI, openIncidents: 5),
        ])
        let text = Self.text(registry)
        #expect(text.contains("# HELP tocsin_network_connected "))
        #expect(text.contains(#"tocsin_network_connected{network="irc:a"} 1"#))
        #expect(text.contains(#"tocsin_network_connected{network="xmpp:b"} 0"#))
        #expect(text.contains(#"tocsin_network_rooms_joined{network="irc:a"} 2"#))
        #expect(text.contains(#"tocsin_network_rooms_configured{network="irc:a"} 3"#))
        #expect(text.contains("# HELP tocsin_outbox_depth "))
        #expect(text.contains("tocsin_outbox_depth 7"))
        #expect(text.contains("tocsin_outbox_oldest_age_seconds 42"))
        #expect(text.contains(#"tocsin_incident_api_circuit_state{backend="pagerduty"} 1"#))
        #expect(text.contains(#"tocsin_open_incidents{backend="embedded"} 5"#))
        #expect(text.contains(#"tocsin_component_status{component="xmpp:b"} 2"#))
        // A later scrape overwrites, not adds.
        metrics.refresh(from: [ComponentHealth(component: "outbox", status: .ok, kind: .outbox, depth: 0)])
        #expect(Self.text(registry).contains("tocsin_outbox_depth 0"))
    }

    @Test func metricsEndpointRefreshesGaugesAtScrape() async throws {
        var harness = IntakeHarness()
        harness.health = [FixedHealth(components: [
            ComponentHealth(component: "irc:a", status: .ok, connected: true, roomsJoined: 1, roomsConfigured: 1),
        ])]
        try await harness.run { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.text.contains(#"tocsin_network_connected{network="irc:a"} 1"#))
            #expect(response.text.contains(#"tocsin_network_rooms_joined{network="irc:a"} 1"#))
        }
    }

    @Test func intakeCounterHasItsHelpText() async throws {
        let harness = IntakeHarness()
        try await harness.run { client in
            _ = try await client.enqueue(EnqueueEndpointTests.alertmanagerTrigger)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.text.contains("# HELP tocsin_intake_events_total "))
            #expect(response.text.contains(#"tocsin_intake_events_total{endpoint="enqueue",outcome="accepted"} 1"#))
        }
    }
}
