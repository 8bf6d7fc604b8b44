import Foundation
import Logging

/// Housekeeping run when it is due, not polled: it sleeps until the deadline `nextDue` names (the
/// next snooze end), wakes early when ``DeadlineWakeup/nudge()`` says the deadline may have moved,
/// and arms no timer at all while nothing is pending (issue 11, item 4: timers only for real
/// deadlines). Replaces a 30-second polling loop, which also made a snooze end up to 30 s late.
struct DeadlineMaintenance: Sendable {
    var name: String
    /// When the work is next due (wall clock, as the store keeps it); nil when nothing is pending.
    var nextDue: @Sendable () async throws -> Date?
    /// Does the due work (finds what has expired by now); harmless when nothing has.
    var work: @Sendable () async throws -> Void
    var wakeup: DeadlineWakeup
    /// Longest single sleep while something is pending: the deadline is a wall-clock time slept
    /// for on the monotonic clock, so this bounds how late a wall-clock step can make the work.
    var longestSleep: Duration = .seconds(300)
    /// After a failing `nextDue` or `work`: try again this much later (logged each time).
    var retryAfterFailure: Duration = .seconds(30)
    /// Shortest time between two runs of `work`: a deadline that stays in the past (clocks apart,
    /// a row the work cannot change) costs at most one run per gap, never a busy loop.
    var shortestGap: Duration = .seconds(1)

    func run(logger: Logger) async {
        var notBefore = ContinuousClock.now
        while true {
            var due: ContinuousClock.Instant?
            do {
                due = try await nextDue().map { ContinuousClock.now + .seconds($0.timeIntervalSinceNow) }
            } catch {
                logger.warning("maintenance failed", metadata: ["task": "\(name)", "error": "\(error)"])
                due = .now + retryAfterFailure
            }
            if let pending = due { due = min(max(pending, notBefore), .now + longestSleep) }
            switch await wakeup.wait(until: due) {
            case .cancelled:
                return
            case .nudged:
                continue
            case .deadline:
                do {
                    try await work()
                    notBefore = .now + shortestGap
                } catch {
                    logger.warning("maintenance failed", metadata: ["task": "\(name)", "error": "\(error)"])
                    notBefore = .now + retryAfterFailure
                }
            }
        }
    }
}
