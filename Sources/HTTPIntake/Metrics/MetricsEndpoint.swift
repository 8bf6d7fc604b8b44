import Hummingbird
import Prometheus
import TocsinCore

/// `GET /metrics`: the registry in the Prometheus text exposition format, version 0.0.4. The
/// gauges (connected, rooms, outbox, circuit, open incidents) are refreshed from the health
/// sources at each scrape, so they are never older than the scrape.
struct MetricsEndpoint: Sendable {
    var registry: PrometheusCollectorRegistry
    var sources: [any HealthSource]

    func handle() async -> Response {
        let report = await ReadinessReport.collect(from: sources)
        GatewayMetrics(registry: registry).refresh(from: report.components)
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
