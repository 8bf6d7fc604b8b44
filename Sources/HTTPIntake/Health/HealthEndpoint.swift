import Hummingbird
import TocsinCore

/// `GET /healthz`: every component's health as JSON. 200 while the gateway works (`ok` or `degraded`),
/// 503 when any component is `down`, so load balancers and orchestrators take it out of rotation.
struct HealthEndpoint: Sendable {
    var sources: [any HealthSource]

    func handle() async -> Response {
        let report = await HealthReport.collect(from: sources)
        return jsonResponse(status: report.status == .down ? .serviceUnavailable : .ok, report)
    }
}
