/// The classic token bucket: at most `capacity` lines at once, then one more per `interval`.
///
/// Driven by the caller's clock (`ContinuousClock.Instant` values passed in), so tests run it on
/// a virtual timeline. Starts full: a fresh connection may send a burst right away.
public struct TokenBucket: Sendable, Hashable {
    public let capacity: Int
    public let interval: Duration
    /// Whole tokens available at ``lastRefill``.
    private var tokens: Int
    /// When the tokens were last brought up to date; the fractional part of a token earned
    /// since then is implicit in `now - lastRefill`.
    private var lastRefill: ContinuousClock.Instant

    public init(capacity: Int, interval: Duration, now: ContinuousClock.Instant) {
        self.capacity = max(1, capacity)
        self.interval = interval > .zero ? interval : .seconds(1)
        self.tokens = self.capacity
        self.lastRefill = now
    }

    /// The same bucket with new settings (a configuration reload): the tokens already spent stay
    /// spent, so a reload never grants a fresh burst on top of one just sent.
    public mutating func resized(capacity: Int, interval: Duration, now: ContinuousClock.Instant) -> TokenBucket {
        refill(now)
        var bucket = TokenBucket(capacity: capacity, interval: interval, now: now)
        bucket.tokens = min(bucket.capacity, tokens)
        return bucket
    }

    /// Tokens available at `now`.
    public mutating func available(at now: ContinuousClock.Instant) -> Int {
        refill(now)
        return tokens
    }

    /// Takes one token if there is one.
    public mutating func take(at now: ContinuousClock.Instant) -> Bool {
        refill(now)
        guard tokens > 0 else { return false }
        // A full bucket earns nothing more (refill keeps `lastRefill` at `now` while full),
        // so the refill clock effectively starts with the first token spent.
        tokens -= 1
        return true
    }

    /// When the next token will be there (`now` if one already is).
    public mutating func nextToken(after now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        refill(now)
        return tokens > 0 ? now : lastRefill + interval
    }

    private mutating func refill(_ now: ContinuousClock.Instant) {
        guard now > lastRefill else { return }
        if tokens >= capacity {
            lastRefill = now
            return
        }
        let elapsed = now - lastRefill
        let earned = Int(elapsed / interval)
        guard earned > 0 else { return }
        if tokens + earned >= capacity {
            tokens = capacity
            lastRefill = now
        } else {
            tokens += earned
            lastRefill = lastRefill + interval * earned
        }
    }
}
