import Hummingbird
import TocsinCore

/// `GET /healthz`: liveness. 200 `{"status":"ok"}` whenever the process serves HTTP at all; says
/// nothing about networks (a supervisor restarting the process would not bring a network back).
struct LivenessEndpoint: Sendable {
    struct Body: Encodable, Sendable {
        var status = "ok"
    }

    func handle() -> Response {
        jsonResponse(status: .ok, Body())
    }
}

/// `GET /readyz`: readiness per component (each network connected or not with rooms joined n/m,
/// the outbox depth and oldest age, the incident API with its circuit) and overall, by the
/// ``ReadinessReport`` rules: 200 while the gateway works (`ok` or `degraded`, e.g. one network of
/// several down), 503 only when nothing can work (`down`), so orchestrators take it out of rotation.
struct ReadinessEndpoint: Sendable {
    var sources: [any HealthSource]

    func handle() async -> Response {
        let report = await ReadinessReport.collect(from: sources)
        return jsonResponse(status: report.status == .down ? .serviceUnavailable : .ok, report)
    }
}
