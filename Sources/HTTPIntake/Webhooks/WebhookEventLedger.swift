import Foundation

/// The ids of webhook events already stored for announcement, kept durably so that PagerDuty's
/// redeliveries (it delivers at least once and retries for up to 48 h: developer docs, "Webhooks" ›
/// "Behavior") and captured deliveries replayed later are answered "duplicate", not announced again.
///
/// An id is recorded only after its event was stored, and kept at least until the event leaves the
/// replay window (``IntakeConfiguration/webhookReplayWindow``); older deliveries are refused by their
/// `occurred_at` alone.
public protocol WebhookEventLedger: Sendable {
    /// True when `id` was recorded and has not expired at `now`.
    func contains(_ id: String, now: Date) async throws -> Bool
    /// Records `id` as stored until `expiresAt`.
    func record(_ id: String, expiresAt: Date) async throws
}

/// A ``WebhookEventLedger`` in memory, for tests and for intakes without a database: it forgets
/// everything at restart, so a redelivery after a restart relies on the outbox's own de-duplication.
public actor InMemoryWebhookEventLedger: WebhookEventLedger {
    private var expiries: [String: Date] = [:]

    public init() {}

    public func contains(_ id: String, now: Date) -> Bool {
        guard let expiry = expiries[id] else { return false }
        return expiry > now
    }

    public func record(_ id: String, expiresAt: Date) {
        let now = Date()
        expiries = expiries.filter { $0.value > now }
        expiries[id] = max(expiresAt, expiries[id] ?? expiresAt)
    }

    public var count: Int { expiries.count }
}
