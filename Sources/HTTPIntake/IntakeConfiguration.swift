import Foundation
import Prometheus
import TocsinCore

/// What the HTTP intake accepts: which Events API routing keys exist, which webhook secrets sign
/// PagerDuty deliveries, how large a body may be, and how long and how many connections a client
/// may hold.
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
    /// Largest request body accepted; larger ones get 413. Events API v2 payloads are capped at 512 KB
    /// (developer docs, "Events API v2 Overview" › "Size Limits"); webhooks are at most 256 KB.
    public var maxBodyBytes: Int
    /// How long a webhook delivery waits for its event to be stored before answering 503 (the store
    /// goes on, and PagerDuty's redelivery finds it recorded). PagerDuty expects an answer within 5
    /// seconds and retries slower deliveries (developer docs, "Webhooks" › "Behavior").
    public var webhookAnswerDeadline: Duration
    /// Webhook deliveries whose signed `occurred_at` is older than this are refused (422), so a
    /// captured delivery cannot be replayed later; event ids are remembered at least this long.
    /// PagerDuty retries for up to 48 h, so 72 h never refuses a genuine retry.
    public var webhookReplayWindow: Duration
    /// Read deadlines and connection caps against slow-loris clients.
    public var limits: IntakeLimits

    public static let defaultMaxBodyBytes = 512 * 1024
    public static let defaultWebhookReplayWindow = Duration.seconds(72 * 3600)

    public init(
        routingKeys: [String: String] = [:],
        webhookSecrets: [String] = [],
        serviceNamesByPagerDutyID: [String: String] = [:],
        maxBodyBytes: Int = IntakeConfiguration.defaultMaxBodyBytes,
        webhookAnswerDeadline: Duration = .seconds(4),
        webhookReplayWindow: Duration = IntakeConfiguration.defaultWebhookReplayWindow,
        limits: IntakeLimits = IntakeLimits()
    ) {
        self.routingKeys = routingKeys
        self.webhookSecrets = webhookSecrets
        self.serviceNamesByPagerDutyID = serviceNamesByPagerDutyID
        self.maxBodyBytes = maxBodyBytes
        self.webhookAnswerDeadline = webhookAnswerDeadline
        self.webhookReplayWindow = webhookReplayWindow
        self.limits = limits
    }
}

/// The services the intake hands its work to.
public struct IntakeDependencies: Sendable {
    /// The backend's Events API intake; nil when the backend has none (PagerDuty itself takes Events API
    /// traffic), and `POST /v2/enqueue` then answers 404 saying so.
    public var alerts: (any AlertEventIntake)?
    /// Where verified webhook events go for routing and announcement.
    public var events: any IncidentEventSink
    /// Webhook event ids already stored (durable in the gateway: the SQLite database).
    public var webhookLedger: any WebhookEventLedger
    /// Everything `/healthz` reports on.
    public var health: [any HealthSource]
    /// Rendered at `/metrics` in the Prometheus text format.
    public var metrics: PrometheusCollectorRegistry
    /// The wall clock webhook `occurred_at` times are checked against.
    public var now: @Sendable () -> Date

    public init(
        alerts: (any AlertEventIntake)?, events: any IncidentEventSink,
        webhookLedger: any WebhookEventLedger = InMemoryWebhookEventLedger(), health: [any HealthSource],
        metrics: PrometheusCollectorRegistry, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.alerts = alerts
        self.events = events
        self.webhookLedger = webhookLedger
        self.health = health
        self.metrics = metrics
        self.now = now
    }
}
