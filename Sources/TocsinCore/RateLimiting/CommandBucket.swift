/// A token bucket with fractional refill, driven by the caller's clock: starts full with
/// `limit.burst` tokens, earns `limit.perMinute` tokens a minute, never holds more than `burst`.
struct CommandBucket: Sendable {
    let limit: RateLimit
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    init(limit: RateLimit, now: ContinuousClock.Instant) {
        self.limit = limit
        self.tokens = Double(limit.burst)
        self.updated = now
    }

    private mutating func refill(_ now: ContinuousClock.Instant) {
        guard now > updated else { return }
        let elapsed = now - updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(Double(limit.burst), tokens + seconds * limit.perMinute / 60)
        updated = now
    }

    mutating func hasToken(at now: ContinuousClock.Instant) -> Bool {
        refill(now)
        return tokens >= 1
    }

    /// Takes a token; call after ``hasToken(at:)`` said yes.
    mutating func take(at now: ContinuousClock.Instant) {
        refill(now)
        tokens = max(0, tokens - 1)
    }

    /// Full again: the bucket carries no state worth keeping.
    mutating func isFull(at now: ContinuousClock.Instant) -> Bool {
        refill(now)
        return tokens >= Double(limit.burst)
    }

    /// Time until one whole token is there.
    mutating func timeToNextToken(at now: ContinuousClock.Instant) -> Duration {
        refill(now)
        guard tokens < 1 else { return .zero }
        return .seconds((1 - tokens) * 60 / limit.perMinute)
    }
}
