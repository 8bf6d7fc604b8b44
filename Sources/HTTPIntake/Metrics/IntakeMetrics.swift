import Prometheus

/// Counts what the intake did with each request, as `tocsin_intake_events_total{endpoint, outcome}`.
///
/// Counters are made in the gateway's registry with their help text (the registry refuses one name
/// with two help texts, so this series is never made through the global `MetricsSystem`).
struct IntakeMetrics: Sendable {
    static let label = "tocsin_intake_events_total"
    static let help = "Requests to the HTTP intake by endpoint (enqueue, webhook) and what became of them"

    var registry: PrometheusCollectorRegistry

    enum Endpoint: String, Sendable {
        case enqueue
        case webhook
    }

    enum Outcome: String, Sendable {
        /// Events API: stored.
        case accepted
        /// Webhook: stored for announcement.
        case published
        /// Webhook: the same `event.id` was already stored.
        case duplicate
        /// Webhook: a type Tocsin does not announce (`pagey.ping`, `service.*`, …).
        case ignored
        case invalid
        case tooLarge = "too_large"
        /// Webhook: no signature matched any configured secret.
        case forbidden
        /// Endpoint switched off by configuration.
        case unavailable
        /// Events API: the store threw. Webhook: not stored (yet), answered 503.
        case failed
        /// Webhook: `occurred_at` older than the replay window.
        case expired
    }

    func count(_ endpoint: Endpoint, _ outcome: Outcome) {
        registry.makeCounter(name: Self.label, labels: [("endpoint", endpoint.rawValue), ("outcome", outcome.rawValue)],
                             help: Self.help).increment()
    }
}
