/// Exponential backoff with jitter between reconnection attempts.
///
/// The delay doubles from `minimum` up to `maximum`; each actual delay is drawn between half and
/// all of it ("equal jitter"), so many bots restarted together do not reconnect in lockstep.
struct ReconnectBackoff: Sendable {
    let minimum: Duration
    let maximum: Duration
    private(set) var attempts = 0

    init(minimum: Duration, maximum: Duration) {
        self.minimum = max(minimum, .milliseconds(1))
        self.maximum = max(maximum, self.minimum)
    }

    /// The ceiling for the next attempt, before jitter.
    var currentCeiling: Duration {
        var delay = minimum
        for _ in 0..<min(attempts, 32) {
            delay = delay * 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }

    /// The delay before the next attempt; each call lengthens the following one.
    mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        let ceiling = currentCeiling
        attempts += 1
        return Self.jittered(ceiling, using: &generator)
    }

    mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    /// A delay near the maximum, for failures a quick retry will not fix (wrong password).
    mutating func longest() -> Duration {
        attempts = max(attempts, 32)
        var generator = SystemRandomNumberGenerator()
        return Self.jittered(maximum, using: &generator)
    }

    /// The connection worked: start again from the minimum.
    mutating func reset() {
        attempts = 0
    }

    private static func jittered<G: RandomNumberGenerator>(_ ceiling: Duration, using generator: inout G) -> Duration {
        let fraction = Double.random(in: 0.5...1.0, using: &generator)
        return ceiling * fraction
    }
}
