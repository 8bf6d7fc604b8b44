import Hummingbird
import Logging

/// The intake's routes, for in-process tests (HummingbirdTesting `.router`) and for
/// ``buildIntakeApplication(configuration:dependencies:host:port:logger:)``.
///
/// - `POST /v2/enqueue`: PagerDuty Events API v2 compatible intake (``AlertEventIntake``).
/// - `POST /webhooks/pagerduty`: PagerDuty Webhooks v3, signature-checked, into ``IncidentEventSink``.
/// - `GET /healthz`: liveness, 200 `{"status":"ok"}` while the process serves.
/// - `GET /readyz`: ``ReadinessReport`` as JSON; 503 only when nothing can work.
/// - `GET /metrics`: the Prometheus registry in text format, gauges refreshed per scrape
///   (``GatewayMetrics``).
/// - whatever `extraRoutes` adds: the incident pages (`IncidentPages`, issue 13), which this
///   target does not know.
public func buildIntakeRouter(
    configuration: IntakeConfiguration, dependencies: IntakeDependencies, logger: Logger,
    extraRoutes: (@Sendable (Router<BasicRequestContext>) -> Void)? = nil
) -> Router<BasicRequestContext> {
    let metrics = IntakeMetrics(registry: dependencies.metrics)
    let enqueue = EnqueueEndpoint(configuration: configuration, alerts: dependencies.alerts, metrics: metrics,
                                  logger: logger)
    let webhook = WebhookEndpoint(configuration: configuration, events: dependencies.events,
                                  ledger: dependencies.webhookLedger, now: dependencies.now, metrics: metrics,
                                  logger: logger)
    let liveness = LivenessEndpoint()
    let readiness = ReadinessEndpoint(sources: dependencies.health)
    let exposition = MetricsEndpoint(registry: dependencies.metrics, sources: dependencies.health)

    let router = Router(context: BasicRequestContext.self)
    router.post("/v2/enqueue") { request, _ in await enqueue.handle(request) }
    router.post("/webhooks/pagerduty") { request, _ in await webhook.handle(request) }
    router.get("/healthz") { _, _ in liveness.handle() }
    router.get("/readyz") { _, _ in await readiness.handle() }
    router.get("/metrics") { _, _ in await exposition.handle() }
    extraRoutes?(router)
    return router
}

/// The intake as a Hummingbird application listening on `host:port`. It is a swift-service-lifecycle
/// `Service`: run it in the gateway's `ServiceGroup`, which stops it gracefully on SIGTERM.
///
/// Every accepted connection goes through the ``IntakeLimits``: connections over the per-address or
/// total cap are closed at once, and a request head or body not complete in time closes its
/// connection. The total cap is lowered to fit the process's descriptor limit when needed, so the
/// listening socket never meets `EMFILE` (SwiftNIO then backs off accepting for a second at a time,
/// during which nobody is served).
///
/// It runs without Hummingbird's once-a-second date cache (``IntakeHTTPApplication``), so an idle
/// gateway's HTTP intake arms no timer.
public func buildIntakeApplication(
    configuration: IntakeConfiguration, dependencies: IntakeDependencies, host: String, port: Int, logger: Logger,
    extraRoutes: (@Sendable (Router<BasicRequestContext>) -> Void)? = nil
) -> some ApplicationProtocol {
    let descriptorLimit = openDescriptorLimit()
    let limits = configuration.limits.fitted(toDescriptorLimit: descriptorLimit)
    if limits.maxConnections < configuration.limits.maxConnections {
        logger.warning("HTTP intake connection cap lowered to fit the open-file limit; raise LimitNOFILE= or lower http.max_connections", metadata: [
            "max_connections": "\(limits.maxConnections)", "configured": "\(configuration.limits.maxConnections)",
            "open_file_limit": "\(descriptorLimit ?? 0)",
        ])
    }
    return IntakeHTTPApplication(
        router: buildIntakeRouter(configuration: configuration, dependencies: dependencies, logger: logger, extraRoutes: extraRoutes),
        server: .limitedHTTP1(limits, logger: logger),
        configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "Tocsin"),
        logger: logger
    )
}
