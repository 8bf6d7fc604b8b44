/// Exponential reconnect delays with jitter, so a network outage does not make every bot of a
/// fleet reconnect in the same second.
///
/// Attempt `n` (1-based) waits a random time in `[base/2, base]` where `base = min · 2^(n-1)`,
/// capped at `max` ("equal jitter"): never less than half the exponential delay, never more
/// than the cap.
public struct ReconnectBackoff: Sendable, Hashable {
    public var minimum: Duration
    public var maximum: Duration

    public init(minimum: Duration, maximum: Duration) {
        self.minimum = max(minimum, .milliseconds(1))
        self.maximum = max(maximum, self.minimum)
    }

    /// The un-jittered delay of attempt `attempt` (1-based).
    public func baseDelay(attempt: Int) -> Duration {
        var delay = minimum
        var step = 1
        while step < attempt && delay < maximum {
            delay = delay * 2
            step += 1
        }
        return min(delay, maximum)
    }

    /// The delay of attempt `attempt`, with `random` in `0...1` choosing the point in
    /// `[base/2, base]`.
    public func delay(attempt: Int, random: Double) -> Duration {
        let base = baseDelay(attempt: max(1, attempt))
        let fraction = 0.5 + 0.5 * min(1, max(0, random))
        return base * fraction
    }

    public func delay(attempt: Int) -> Duration {
        delay(attempt: attempt, random: Double.random(in: 0...1))
    }
}
