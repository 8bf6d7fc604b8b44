/// Whether the server is still there, from the time of its last line.
///
/// After `pingInterval` of silence we send one `PING` of our own (RFC 2812 §3.7.2 lets a client
/// ping the server); after `deadAfter` the link is considered dead whatever we sent, because a
/// half-open TCP connection can stay "up" for hours. Any line from the server resets both.
struct IRCLiveness: Sendable, Hashable {
    /// What the silence so far asks for.
    enum Verdict: Sendable, Hashable {
        case alive
        /// Send a `PING` now (once per silence).
        case sendPing
        /// Nothing for `silence`: close and reconnect.
        case dead(silence: Duration)
    }

    let pingInterval: Duration
    let deadAfter: Duration
    private(set) var lastReceived: ContinuousClock.Instant
    /// True from our `PING` until the server says anything.
    private(set) var awaitingAnswer = false

    init(pingInterval: Duration, deadAfter: Duration, now: ContinuousClock.Instant) {
        self.pingInterval = pingInterval
        self.deadAfter = deadAfter
        self.lastReceived = now
    }

    /// A line arrived.
    mutating func received(at now: ContinuousClock.Instant) {
        lastReceived = now
        awaitingAnswer = false
    }

    /// Checks the silence at `now`; `.sendPing` is returned once per silence.
    mutating func check(now: ContinuousClock.Instant) -> Verdict {
        let silence = now - lastReceived
        if silence >= deadAfter { return .dead(silence: silence) }
        if silence >= pingInterval && !awaitingAnswer {
            awaitingAnswer = true
            return .sendPing
        }
        return .alive
    }

    /// When ``check(now:)`` next has something to say.
    var nextDeadline: ContinuousClock.Instant {
        awaitingAnswer ? lastReceived + deadAfter : lastReceived + min(pingInterval, deadAfter)
    }
}
