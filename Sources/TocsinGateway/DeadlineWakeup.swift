import Synchronization

/// What a deadline-driven loop waits on: its next deadline, or a nudge saying that deadline may
/// have moved (a snooze was just set), whichever comes first — and nothing at all when it has no
/// deadline, so an idle gateway arms no timer for it (issue 11, item 4).
///
/// One loop waits at a time. A nudge that arrives while nobody waits is kept (one, not counted),
/// so a change made between two waits is never missed.
final class DeadlineWakeup: Sendable {
    enum Reason: Equatable, Sendable {
        case deadline
        case nudged
        case cancelled
    }

    private struct State {
        var nudged = false
        var cancelled = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Reason, Never>)?
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Wakes the waiting loop now (or the next wait, when none is waiting).
    func nudge() {
        let waiter = state.withLock { state -> CheckedContinuation<Reason, Never>? in
            guard let waiter = state.waiter else {
                state.nudged = true
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume(returning: .nudged)
    }

    /// Returns at `deadline` (`.deadline`), at a nudge (`.nudged`, also when one came before this
    /// call) or when the task is cancelled (`.cancelled`). `nil` waits for a nudge only: no timer.
    func wait(until deadline: ContinuousClock.Instant?) async -> Reason {
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        let sleeper = Mutex<Task<Void, Never>?>(nil)
        let reason = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Reason, Never>) in
                let ready = state.withLock { state -> Reason? in
                    if state.cancelled { return .cancelled }
                    if state.nudged {
                        state.nudged = false
                        return .nudged
                    }
                    state.waiter = (id, continuation)
                    return nil
                }
                if let ready {
                    continuation.resume(returning: ready)
                } else if let deadline {
                    sleeper.withLock {
                        $0 = Task { [self] in
                            guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                            self.resume(id, with: .deadline)
                        }
                    }
                }
            }
        } onCancel: {
            state.withLock { $0.cancelled = true }
            resume(id, with: .cancelled)
        }
        sleeper.withLock { $0 }?.cancel()
        return reason
    }

    private func resume(_ id: UInt64, with reason: Reason) {
        let waiter = state.withLock { state -> CheckedContinuation<Reason, Never>? in
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume(returning: reason)
    }
}
