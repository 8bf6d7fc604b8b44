import Hummingbird
import Logging

/// The intake's routes, for in-process tests (HummingbirdTesting `.router`) and for
/// ``buildIntakeApplication(configuration:dependencies:host:port:logger:)``.
///
/// - `POST /v2/enqueue`: PagerDuty Events API v2 compatible intake (``AlertEventIntake``).
/// - `POST /webhooks/pagerduty`: PagerDuty Webhooks v3, signature-checked, into ``IncidentEventSink``.
/// - `GET /healthz`: ``HealthReport`` as JSON; 503 when a component is down.
/// - `GET /metrics`: the Prometheus registry in text format.
public func buildIntakeRouter(
    configuration: IntakeConfiguration, dependencies: IntakeDependencies, logger: Logger
) -> Router<BasicRequestContext> {
    let metrics = IntakeMetrics()
    let enqueue = EnqueueEndpoint(configuration: configuration, alerts: dependencies.alerts, metrics: metrics,
                                  logger: logger)
    let webhook = WebhookEndpoint(configuration: configuration, events: dependencies.events, metrics: metrics,
                                  logger: logger)
    let health = HealthEndpoint(sources: dependencies.health)
    let exposition = MetricsEndpoint(registry: dependencies.metrics)

    let router = Router(context: BasicRequestContext.self)
    router.post("/v2/enqueue") { request, _ in await enqueue.handle(request) }
    router.post("/webhooks/pagerduty") { request, _ in await webhook.handle(request) }
    router.get("/healthz") { _, _ in await health.handle() }
    router.get("/metrics") { _, _ in exposition.handle() }
    return router
}

/// The intake as a Hummingbird application listening on `host:port`. It is a swift-service-lifecycle
/// `Service`: run it in the gateway's `ServiceGroup`, which stops it gracefully on SIGTERM.
public func buildIntakeApplication(
    configuration: IntakeConfiguration, dependencies: IntakeDependencies, host: String, port: Int, logger: Logger
) -> some ApplicationProtocol {
    Application(
        router: buildIntakeRouter(configuration: configuration, dependencies: dependencies, logger: logger),
        configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "Tocsin"),
        logger: logger
    )
}
