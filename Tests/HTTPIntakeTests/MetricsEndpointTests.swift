import HTTPIntake
import HummingbirdTesting
import Prometheus
import Testing

/// `GET /metrics`: the registry in Prometheus text exposition format 0.0.4.
@Suite struct MetricsEndpointTests {
    @Test func registeredMetricIsExposedAsPrometheusText() async throws {
        let harness = IntakeHarness()
        let sent = MetricNameDescriptor(namespace: "tocsin", metricName: "outbox_sent", unitName: "total",
                                        helpText: "Messages delivered to chat")
        harness.registry.makeCounter(descriptor: sent, labels: [("network", "irc")]).increment(by: Int64(3))
        try await harness.run { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4")
            #expect(response.text.contains("# HELP tocsin_outbox_sent_total Messages delivered to chat"))
            #expect(response.text.contains("# TYPE tocsin_outbox_sent_total counter"))
            #expect(response.text.contains(#"tocsin_outbox_sent_total{network="irc"} 3"#))
        }
    }
}
