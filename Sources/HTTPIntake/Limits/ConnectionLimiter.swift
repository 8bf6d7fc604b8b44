import Synchronization

/// Counts the intake's open connections per client address and in total, shared by every event loop.
/// ``ConnectionCapHandler`` asks it about each accepted connection.
final class ConnectionLimiter: Sendable {
    enum Admission: Sendable, Equatable {
        case admitted
        case tooManyFromAddress
        case tooManyInTotal
    }

    private struct State {
        var perAddress: [String: Int] = [:]
        var total = 0
        var refusedSinceWarning = 0
        var lastWarning: ContinuousClock.Instant?
    }

    let maxPerAddress: Int
    let maxTotal: Int
    private let state = Mutex(State())

    init(maxPerAddress: Int, maxTotal: Int) {
        self.maxPerAddress = max(1, maxPerAddress)
        self.maxTotal = max(1, maxTotal)
    }

    /// Counts the connection in when both caps allow it; a refused connection is not counted.
    func admit(_ address: String) -> Admission {
        state.withLock { state in
            let fromAddress = state.perAddress[address, default: 0]
            let verdict: Admission =
                state.total >= maxTotal ? .tooManyInTotal
                : fromAddress >= maxPerAddress ? .tooManyFromAddress
                : .admitted
            if verdict == .admitted {
                state.perAddress[address] = fromAddress + 1
                state.total += 1
            } else {
                state.refusedSinceWarning += 1
            }
            return verdict
        }
    }

    /// Counts an admitted connection out once it closed.
    func release(_ address: String) {
        state.withLock { state in
            guard let count = state.perAddress[address] else { return }
            state.perAddress[address] = count > 1 ? count - 1 : nil
            state.total -= 1
        }
    }

    /// Connections refused since the last call, at most once per `interval`: a flood of refusals is
    /// logged as one warning line a minute, not one line per connection.
    func refusalsToReport(every interval: Duration, now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            guard state.refusedSinceWarning > 0 else { return nil }
            if let last = state.lastWarning, now < last.advanced(by: interval) { return nil }
            defer {
                state.refusedSinceWarning = 0
                state.lastWarning = now
            }
            return state.refusedSinceWarning
        }
    }

    var openConnections: Int { state.withLock { $0.total } }
}
