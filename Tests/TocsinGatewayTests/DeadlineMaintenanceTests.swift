import Foundation
import Logging
import Synchronization
import Testing
@testable import TocsinGateway

/// Snooze expiry is deadline-driven (issue 11, item 4): the work runs when the deadline the store
/// names comes, at once when a nudge brings an earlier one, and never while nothing is pending.
@Suite struct DeadlineMaintenanceTests {
    /// What the fake store says is next, and how often the work ran.
    final class FakeSchedule: Sendable {
        let due = Mutex<Date?>(nil)
        let runs = Mutex(0)
        let asked = Mutex(0)
        /// When the work first ran.
        let firstRun = Mutex<Date?>(nil)
    }

    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func maintenance(_ schedule: FakeSchedule, wakeup: DeadlineWakeup, failing: Bool = false) -> DeadlineMaintenance {
        DeadlineMaintenance(
            name: "test",
            nextDue: {
                schedule.asked.withLock { $0 += 1 }
                return schedule.due.withLock { $0 }
            },
            work: {
                schedule.runs.withLock { $0 += 1 }
                schedule.firstRun.withLock { if $0 == nil { $0 = Date() } }
                if failing { throw CancellationError() }
                // What wakeExpiredSnoozes does: what is due is no longer pending.
                schedule.due.withLock { if let due = $0, due <= Date() { $0 = nil } }
            },
            wakeup: wakeup, shortestGap: .milliseconds(10))
    }

    /// Polls `condition` for up to `seconds` (bounded; the loop under test runs on its own task).
    func eventually(_ seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func nothingPendingRunsNothingUntilANudgeBringsADeadline() async throws {
        let schedule = FakeSchedule()
        let wakeup = DeadlineWakeup()
        let loop = Task { await maintenance(schedule, wakeup: wakeup).run(logger: Self.logger) }
        defer { loop.cancel() }
        #expect(await eventually { schedule.asked.withLock { $0 } == 1 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(schedule.runs.withLock { $0 } == 0)
        #expect(schedule.asked.withLock { $0 } == 1, "no deadline: no timer, no re-reading")

        schedule.due.withLock { $0 = Date().addingTimeInterval(0.2) }
        wakeup.nudge()
        #expect(await eventually { schedule.runs.withLock { $0 } == 1 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(schedule.runs.withLock { $0 } == 1, "ran once; nothing pending afterwards")
    }

    @Test func runsAtTheDeadlineNotBefore() async throws {
        let schedule = FakeSchedule()
        let due = Date().addingTimeInterval(0.5)
        schedule.due.withLock { $0 = due }
        let wakeup = DeadlineWakeup()
        let loop = Task { await maintenance(schedule, wakeup: wakeup).run(logger: Self.logger) }
        defer { loop.cancel() }
        #expect(await eventually { schedule.runs.withLock { $0 } == 1 })
        // When it ran, not when this test looked: a loaded machine may wake the test late.
        let ran = try #require(schedule.firstRun.withLock { $0 })
        #expect(ran >= due, "ran \(due.timeIntervalSince(ran)) s before the deadline")
    }

    @Test func aNudgeReplacesALaterDeadlineWithAnEarlierOne() async throws {
        let schedule = FakeSchedule()
        schedule.due.withLock { $0 = Date().addingTimeInterval(3600) }
        let wakeup = DeadlineWakeup()
        let loop = Task { await maintenance(schedule, wakeup: wakeup).run(logger: Self.logger) }
        defer { loop.cancel() }
        #expect(await eventually { schedule.asked.withLock { $0 } == 1 })

        schedule.due.withLock { $0 = Date().addingTimeInterval(0.1) }
        wakeup.nudge()
        #expect(await eventually { schedule.runs.withLock { $0 } == 1 })
    }

    @Test func aFailingRunIsRetriedLaterNotInABusyLoop() async throws {
        let schedule = FakeSchedule()
        schedule.due.withLock { $0 = Date.distantPast }
        let wakeup = DeadlineWakeup()
        var failing = maintenance(schedule, wakeup: wakeup, failing: true)
        failing.retryAfterFailure = .milliseconds(200)
        let loop = Task { [failing] in await failing.run(logger: Self.logger) }
        defer { loop.cancel() }
        let started = ContinuousClock.now
        #expect(await eventually { schedule.runs.withLock { $0 } >= 2 }, "retried after the failure")
        loop.cancel()
        // Bounded by the time that passed, however slow the machine: a busy loop runs thousands.
        let elapsed = ContinuousClock.now - started
        let runs = schedule.runs.withLock { $0 }
        #expect(runs <= Int(elapsed / .milliseconds(200)) + 2, "at most one run per 200 ms: \(runs) in \(elapsed)")
    }

    @Test func cancellationEndsTheLoopWhileItWaits() async throws {
        let schedule = FakeSchedule()
        let wakeup = DeadlineWakeup()
        let ended = Mutex(false)
        let loop = Task {
            await maintenance(schedule, wakeup: wakeup).run(logger: Self.logger)
            ended.withLock { $0 = true }
        }
        #expect(await eventually { schedule.asked.withLock { $0 } == 1 })
        loop.cancel()
        #expect(await eventually { ended.withLock { $0 } })
    }
}
