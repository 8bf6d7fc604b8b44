import Foundation

/// Wall-clock time and waiting, injected so retry back-off and the circuit breaker's cool-down run
/// on a virtual clock in tests.
protocol PagerDutyClock: Sendable {
    func now() -> Date
    func sleep(for duration: Duration) async throws
}

struct SystemPagerDutyClock: PagerDutyClock {
    func now() -> Date { Date() }

    func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}
