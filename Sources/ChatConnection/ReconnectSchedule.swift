import TocsinCore

/// When a chat connection tries again, written once for IRC and XMPP: exponential backoff with
/// jitter (``TocsinCore/ReconnectBackoff``), back to short delays only after a session that was
/// ready for ``stableAfter`` — a server that accepts us and drops us at once (K-line, flood
/// kill, policy violation) must not be hammered.
public struct ReconnectSchedule: Sendable {
    public typealias Instant = ContinuousClock.Instant

    /// How the last attempt ended, as far as retrying goes.
    public enum Retry: Sendable, Hashable {
        /// The usual: the next backoff step.
        case backoff
        /// A failure a quick retry will not fix (certificate rejected, wrong password): a delay
        /// near the maximum.
        case later
    }

    public private(set) var backoff: ReconnectBackoff
    /// How long a session must have been ready before a disconnect starts the backoff over.
    public let stableAfter: Duration

    public init(minimum: Duration, maximum: Duration, stableAfter: Duration = .seconds(60)) {
        backoff = ReconnectBackoff(minimum: minimum, maximum: maximum)
        self.stableAfter = stableAfter
    }

    /// The delay before the next attempt, after a session that was ready since `readySince`
    /// (nil: it never became ready).
    public mutating func delay(_ retry: Retry, readySince: Instant?, now: Instant) -> Duration {
        if let readySince, now - readySince >= stableAfter {
            backoff.reset()
        }
        switch retry {
        case .backoff: return backoff.next()
        case .later: return backoff.longest()
        }
    }
}

/// The reconnect run loop of a connection whose attempts are sessions (connect → run → closed):
/// attempt, wait the scheduled delay (returning at once on shutdown), attempt again.
public enum ReconnectingConnection {
    /// How one attempt ended.
    public struct Outcome: Sendable {
        public var reason: String
        public var retry: ReconnectSchedule.Retry
        /// When the session became ready (registered, rooms asked for), if it did.
        public var readySince: ContinuousClock.Instant?

        public init(reason: String, retry: ReconnectSchedule.Retry = .backoff, readySince: ContinuousClock.Instant? = nil) {
            self.reason = reason
            self.retry = retry
            self.readySince = readySince
        }
    }

    /// Runs `attempt` (numbered from 1 since the last stable session) until `shutdown` fires.
    /// `waiting` is told each delay before it is slept, for logs and health.
    public static func run(
        schedule: inout ReconnectSchedule,
        shutdown: ShutdownSignal,
        attempt: (_ number: Int) async -> Outcome,
        waiting: (_ delay: Duration, _ outcome: Outcome) -> Void
    ) async {
        while !shutdown.isTriggered {
            let outcome = await attempt(schedule.backoff.attempts + 1)
            if shutdown.isTriggered { break }
            let delay = schedule.delay(outcome.retry, readySince: outcome.readySince, now: .now)
            waiting(delay, outcome)
            await shutdown.sleep(for: delay)
        }
    }
}
