/// Exponential backoff with jitter between reconnection attempts, shared by the IRC and XMPP
/// transports so every connection of a gateway backs off the same way.
///
/// The delay doubles from `minimum` up to `maximum`; each actual delay is drawn between half and
/// all of it ("equal jitter"), so many bots restarted together do not reconnect in lockstep.
public struct ReconnectBackoff: Sendable {
    public let minimum: Duration
    public let maximum: Duration
    public private(set) var attempts = 0

    public init(minimum: Duration, maximum: Duration) {
        self.minimum = max(minimum, .milliseconds(1))
        self.maximum = max(maximum, self.minimum)
    }

    /// The ceiling for the next attempt, before jitter.
    public var currentCeiling: Duration {
        var delay = minimum
        for _ in 0..<min(attempts, 32) {
            delay = delay * 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }

    /// The delay before the next attempt; each call lengthens the following one.
    public mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        let ceiling = currentCeiling
        attempts += 1
        return Self.jittered(ceiling, using: &generator)
    }

    public mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    /// A delay near the maximum, for failures a quick retry will not fix (wrong password).
    public mutating func longest() -> Duration {
        attempts = max(attempts, 32)
        var generator = SystemRandomNumberGenerator()
        return Self.jittered(maximum, using: &generator)
    }

    /// The connection worked: start again from the minimum.
    public mutating func reset() {
        attempts = 0
    }

    private static func jittered<G: RandomNumberGenerator>(_ ceiling: Duration, using generator: inout G) -> Duration {
        let fraction = Double.random(in: 0.5...1.0, using: &generator)
        return ceiling * fraction
    }
}
