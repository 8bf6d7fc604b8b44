import Synchronization

/// Wakes a connection's loop at its next real deadline — and only then.
///
/// Connections used to be ticked (IRC every 100 ms, XMPP every second) so that their state
/// machines could look at the clock; an idle gateway woke ~10 times a second for nothing. Now the
/// machine names its next deadline (flood release, keepalive, reconnect, rejoin, delivery
/// timeout…) and the loop arms this timer for it.
///
/// An armed timer is kept when a *later* deadline is asked for: waking early is harmless (the
/// machine finds nothing due and names its next deadline again) and not re-arming on every line
/// received keeps busy connections cheap. Only an earlier deadline replaces the armed one.
public final class DeadlineTimer: Sendable {
    public typealias Instant = ContinuousClock.Instant

    private struct State {
        var armedFor: Instant?
        var task: Task<Void, Never>?
        var generation: UInt64 = 0
        var stopped = false
    }

    private let state = Mutex(State())
    private let fire: @Sendable () -> Void

    /// `fire` is called (from a task) when the armed deadline is reached; it should only enqueue
    /// an event for the loop.
    public init(fire: @escaping @Sendable () -> Void) {
        self.fire = fire
    }

    /// The deadline the timer is armed for, if any.
    public var armedDeadline: Instant? { state.withLock { $0.armedFor } }

    /// The shortest time between arming and firing: a deadline already passed fires after this
    /// gap, so a machine that keeps naming a past deadline costs at most 100 wake-ups a second
    /// instead of a busy loop.
    public static let minimumGap: Duration = .milliseconds(10)

    /// Arms the timer for `deadline` unless it is already armed for that instant or earlier.
    /// `nil` (nothing due) leaves an armed timer alone: its early wake is harmless.
    public func schedule(_ requested: Instant?) {
        guard let requested else { return }
        let deadline = max(requested, .now + Self.minimumGap)
        let replaced: Task<Void, Never>? = state.withLock { state in
            guard !state.stopped else { return nil }
            if let armed = state.armedFor, armed <= deadline { return nil }
            state.generation &+= 1
            let generation = state.generation
            let previous = state.task
            state.armedFor = deadline
            state.task = Task { [self] in
                guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                let current = self.state.withLock { state -> Bool in
                    guard state.generation == generation, !state.stopped else { return false }
                    state.armedFor = nil
                    state.task = nil
                    return true
                }
                if current { self.fire() }
            }
            return previous
        }
        replaced?.cancel()
    }

    /// Disarms the timer for good (the connection is finished).
    public func stop() {
        let task = state.withLock { state -> Task<Void, Never>? in
            state.stopped = true
            state.armedFor = nil
            defer { state.task = nil }
            return state.task
        }
        task?.cancel()
    }
}

extension Optional where Wrapped == ContinuousClock.Instant {
    /// The earlier of two optional deadlines (nil means "nothing due").
    public func earliest(_ other: ContinuousClock.Instant?) -> ContinuousClock.Instant? {
        switch (self, other) {
        case (nil, let other): other
        case (let this, nil): this
        case (let this?, let other?): Swift.min(this, other)
        }
    }
}
