import Prometheus
import TocsinCore

/// What the HTTP intake accepts: which Events API routing keys exist, which webhook secrets sign
/// PagerDuty deliveries, and how large a body may be.
public struct IntakeConfiguration: Sendable {
    /// Events API v2 `routing_key` → the service its events belong to. An event with any other key is
    /// rejected with 400 "Invalid routing key", as PagerDuty does.
    public var routingKeys: [String: String]
    /// PagerDuty Webhooks v3 signing secrets. Several while a secret rotates: a delivery is genuine when
    /// any of its signatures matches any of these. Empty disables `POST /webhooks/pagerduty` (404).
    public var webhookSecrets: [String]
    /// PagerDuty service id (`PF9KMXH`) → the service name routes use. Services not listed go by the
    /// webhook's `service.summary`.
    public var serviceNamesByPagerDutyID: [String: String]
    /// Largest request body accepted. Events API v2 payloads are capped at 512 KB
    /// (developer docs, "Events API v2 Overview" › "Size Limits"); webhooks are at most 256 KB.
    public var maxBodyBytes: Int
    /// How long a webhook delivery waits for the event sink before answering 202 anyway (the event is
    /// still published). PagerDuty expects a 2xx within 5 seconds and retries slower deliveries
    /// (developer docs, "Webhooks" › "Behavior" › "Timeouts").
    public var webhookAnswerDeadline: Duration
    /// Webhook event ids remembered to drop redeliveries (PagerDuty delivers at least once).
    public var recentWebhookEventCapacity: Int

    public static let defaultMaxBodyBytes = 512 * 1024

    public init(
        routingKeys: [String: String] = [:],
        webhookSecrets: [String] = [],
        serviceNamesByPagerDutyID: [String: String] = [:],
        maxBodyBytes: Int = IntakeConfiguration.defaultMaxBodyBytes,
        webhookAnswerDeadline: Duration = .seconds(3),
        recentWebhookEventCapacity: Int = 10_000
    ) {
        self.routingKeys = routingKeys
        self.webhookSecrets = webhookSecrets
        self.serviceNamesByPagerDutyID = serviceNamesByPagerDutyID
        self.maxBodyBytes = maxBodyBytes
        self.webhookAnswerDeadline = webhookAnswerDeadline
        self.recentWebhookEventCapacity = recentWebhookEventCapacity
    }
}

/// The services the intake hands its work to.
public struct IntakeDependencies: Sendable {
    /// The backend's Events API intake; nil when the backend has none (PagerDuty itself takes Events API
    /// traffic), and `POST /v2/enqueue` then answers 404 saying so.
    public var alerts: (any AlertEventIntake)?
    /// Where verified webhook events go for routing and announcement.
    public var events: any IncidentEventSink
    /// Everything `/healthz` reports on.
    public var health: [any HealthSource]
    /// Rendered at `/metrics` in the Prometheus text format.
    public var metrics: PrometheusCollectorRegistry

    public init(
        alerts: (any AlertEventIntake)?, events: any IncidentEventSink, health: [any HealthSource],
        metrics: PrometheusCollectorRegistry
    ) {
        self.alerts = alerts
        self.events = events
        self.health = health
        self.metrics = metrics
    }
}
