import Synchronization

/// The `deliver` calls waiting for their confirmation, keyed by token.
///
/// The connection's loop resolves them; a result that arrives before its waiter registered (a
/// cancellation racing the registration) is kept until it does, so no caller waits forever.
final class DeliveryWaiters: Sendable {
    private struct State {
        var nextToken: DeliveryToken = 1
        var waiting: [DeliveryToken: CheckedContinuation<Void, any Error>] = [:]
        var early: [DeliveryToken: Result<Void, any Error>] = [:]
    }

    private let state = Mutex(State())

    func makeToken() -> DeliveryToken {
        state.withLock { state in
            defer { state.nextToken += 1 }
            return state.nextToken
        }
    }

    func register(_ token: DeliveryToken, _ continuation: CheckedContinuation<Void, any Error>) {
        let early = state.withLock { state -> Result<Void, any Error>? in
            if let result = state.early.removeValue(forKey: token) { return result }
            state.waiting[token] = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resolve(_ token: DeliveryToken, _ result: Result<Void, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if let continuation = state.waiting.removeValue(forKey: token) { return continuation }
            state.early[token] = result
            return nil
        }
        continuation?.resume(with: result)
    }

    /// How many calls are waiting.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Resolves every waiter with `error` (the loop ended).
    func failAll(_ error: any Error) {
        let continuations = state.withLock { state in
            defer { state.waiting = [:]; state.early = [:] }
            return Array(state.waiting.values)
        }
        for continuation in continuations { continuation.resume(throwing: error) }
    }
}
