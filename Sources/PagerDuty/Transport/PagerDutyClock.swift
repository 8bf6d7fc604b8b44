import Foundation

/// Wall-clock time and waiting, injected so retry back-off and the circuit breaker's cool-down run
/// on a virtual clock in tests.
protocol PagerDutyClock: Sendable {
    func now() -> Date
    /// Waits `duration` (retry back-off).
    func sleep(for duration: Duration) async throws
    /// Waits until `now()` reaches `deadline` (the circuit breaker's background probe). Unlike
    /// ``sleep(for:)`` this never moves time itself: a virtual clock resumes it only when a test
    /// advances past the deadline.
    func sleep(until deadline: Date) async throws
}

struct SystemPagerDutyClock: PagerDutyClock {
    func now() -> Date { Date() }

    func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }

    func sleep(until deadline: Date) async throws {
        let remaining = deadline.timeIntervalSinceNow
        guard remaining > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int((remaining * 1000).rounded(.up))))
    }
}
