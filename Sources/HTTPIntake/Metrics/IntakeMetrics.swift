import Metrics

/// Counts what the intake did with each request, as `tocsin_intake_events_total{endpoint, outcome}`.
///
/// Counters are made per call through the global `MetricsSystem`, so they report to whatever backend
/// the executable bootstrapped, even one bootstrapped after the router was built (until then, and in
/// tests, they go nowhere).
struct IntakeMetrics: Sendable {
    static let label = "tocsin_intake_events_total"

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
        Counter(label: Self.label, dimensions: [("endpoint", endpoint.rawValue), ("outcome", outcome.rawValue)])
            .increment()
    }
}
