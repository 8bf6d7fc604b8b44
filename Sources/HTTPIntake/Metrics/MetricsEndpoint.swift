import Hummingbird
import Prometheus

/// `GET /metrics`: the registry in the Prometheus text exposition format, version 0.0.4.
struct MetricsEndpoint: Sendable {
    var registry: PrometheusCollectorRegistry

    func handle() -> Response {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
