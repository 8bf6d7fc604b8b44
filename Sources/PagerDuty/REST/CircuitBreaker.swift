import Foundation

/// Stops calling PagerDuty for a while after it keeps failing, so chat commands fail in
/// milliseconds with a clear reason instead of each waiting out timeouts and retries, and a
/// struggling API is not hammered.
///
/// Closed: calls go through; `threshold` consecutive failed exchanges (5xx, 408, timeouts, connection
/// errors) open it. Open: calls are refused until `coolDown` has passed. Then half-open: exactly one
/// probe goes through while other calls are still refused; its success closes the circuit, its
/// failure opens it again for another cool-down. Any answer that proves PagerDuty is up (2xx, 4xx,
/// 429) resets the count. A plain value: the REST client keeps it under a lock and feeds it times.
struct CircuitBreaker: Sendable, Hashable {
    enum State: Sendable, Hashable {
        case closed(consecutiveFailures: Int)
        case open(until: Date, failures: Int)
        /// One probe is in flight.
        case halfOpen(failures: Int)
    }

    enum Admission: Sendable, Hashable {
        case proceed
        /// The first call after the cool-down: its outcome decides the state.
        case probe
        /// `retryAt` is nil while a probe is in flight.
        case refuse(failures: Int, retryAt: Date?)
    }

    var threshold: Int
    var coolDown: Duration
    private(set) var state: State = .closed(consecutiveFailures: 0)
    /// What went wrong last, for health details and messages.
    private(set) var lastFailure: String?

    init(threshold: Int, coolDown: Duration) {
        self.threshold = max(1, threshold)
        self.coolDown = coolDown
    }

    mutating func admit(now: Date) -> Admission {
        switch state {
        case .closed:
            return .proceed
        case .open(let until, let failures):
            guard now >= until else { return .refuse(failures: failures, retryAt: until) }
            state = .halfOpen(failures: failures)
            return .probe
        case .halfOpen(let failures):
            return .refuse(failures: failures, retryAt: nil)
        }
    }

    mutating func recordSuccess() {
        state = .closed(consecutiveFailures: 0)
        lastFailure = nil
    }

    mutating func recordFailure(_ reason: String, now: Date) {
        lastFailure = reason
        switch state {
        case .closed(let count):
            let failures = count + 1
            state = failures >= threshold ? .open(until: now + coolDown.secondsDouble, failures: failures)
                                          : .closed(consecutiveFailures: failures)
        case .halfOpen(let failures), .open(_, let failures):
            state = .open(until: now + coolDown.secondsDouble, failures: failures + 1)
        }
    }

    /// A probe that ended without an answer either way (its task was cancelled): let the next call probe.
    mutating func recordAbandonedProbe() {
        if case .halfOpen(let failures) = state {
            state = .open(until: .distantPast, failures: failures)
        }
    }

    var isOpen: Bool {
        if case .open = state { return true }
        return false
    }

    /// The chat-facing reason a refused call gives.
    static func refusalMessage(failures: Int, retryAt: Date?) -> String {
        guard let retryAt else {
            return "PagerDuty API circuit open after \(failures) failures; a probe request is in flight"
        }
        return "PagerDuty API circuit open after \(failures) failures; retrying at \(retryAt.formatted(.iso8601))"
    }
}
