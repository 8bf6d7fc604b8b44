import Synchronization

/// The `deliver` calls of one connection waiting for their confirmation, keyed by a ticket.
///
/// `deliver` takes a ticket, registers its continuation, then hands the item to the connection's
/// loop; the loop (or a cancellation) resolves the ticket. A result may arrive *before* its
/// waiter registered (a cancellation racing the registration, a loop that already stopped): it is
/// kept as an "early result" until the waiter comes, so nobody waits forever.
///
/// Bounds:
/// - Early results are kept only for tickets that were issued and not yet registered, i.e. at
///   most one per `deliver` call in flight; a result for a ticket already resolved (a
///   confirmation after a cancellation) is ignored, never stored.
/// - At most ``capacity`` tickets may be outstanding. Overflow policy: ``issue()`` returns nil
///   and the caller fails that delivery at once (the outbox keeps the item and retries it later).
public final class DeliveryWaiters: Sendable {
    public typealias Ticket = UInt64

    private enum Entry {
        /// Issued; the waiter has not registered yet.
        case issued
        case early(Result<Void, any Error>)
        case waiting(CheckedContinuation<Void, any Error>)
    }

    private struct State {
        var nextTicket: Ticket = 1
        var entries: [Ticket: Entry] = [:]
    }

    /// Most outstanding tickets (issued, early or waiting).
    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
    }

    /// A new ticket, or nil when ``capacity`` tickets are outstanding.
    public func issue() -> Ticket? {
        state.withLock { state in
            guard state.entries.count < capacity else { return nil }
            let ticket = state.nextTicket
            state.nextTicket += 1
            state.entries[ticket] = .issued
            return ticket
        }
    }

    /// Registers the waiter of `ticket`; resumes it at once if its result came early (or if the
    /// ticket is unknown: already failed by ``failAll(_:)``).
    public func register(_ ticket: Ticket, _ continuation: CheckedContinuation<Void, any Error>, ifUnknown error: any Error) {
        let immediate = state.withLock { state -> Result<Void, any Error>? in
            switch state.entries[ticket] {
            case .issued?:
                state.entries[ticket] = .waiting(continuation)
                return nil
            case .early(let result)?:
                state.entries[ticket] = nil
                return result
            case .waiting?, nil:
                return .failure(error)
            }
        }
        if let immediate { continuation.resume(with: immediate) }
    }

    /// Resolves `ticket`. A ticket whose waiter has not registered keeps the result until it
    /// does; a ticket already resolved is ignored.
    public func resolve(_ ticket: Ticket, _ result: Result<Void, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            switch state.entries[ticket] {
            case .waiting(let continuation)?:
                state.entries[ticket] = nil
                return continuation
            case .issued?:
                state.entries[ticket] = .early(result)
                return nil
            case .early?, nil:
                return nil
            }
        }
        continuation?.resume(with: result)
    }

    /// How many calls are waiting.
    public var waitingCount: Int {
        state.withLock { $0.entries.values.reduce(0) { count, entry in
            if case .waiting = entry { return count + 1 }
            return count
        } }
    }

    /// How many tickets are outstanding (issued, early or waiting).
    public var outstandingCount: Int { state.withLock { $0.entries.count } }

    /// Resolves every outstanding ticket with `error` (the loop ended).
    public func failAll(_ error: any Error) {
        let continuations = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            var waiting: [CheckedContinuation<Void, any Error>] = []
            for (ticket, entry) in state.entries {
                switch entry {
                case .waiting(let continuation):
                    waiting.append(continuation)
                    state.entries[ticket] = nil
                case .issued:
                    state.entries[ticket] = .early(.failure(error))
                case .early:
                    break
                }
            }
            return waiting
        }
        for continuation in continuations { continuation.resume(throwing: error) }
    }

    /// Waits for `ticket`'s result: registers the caller and runs `submit` (which hands the item
    /// to the loop). Cancelling the caller resolves the ticket with `CancellationError` and runs
    /// `onCancel` (to tell the loop).
    public func wait(
        for ticket: Ticket,
        ifUnknown error: any Error,
        submit: () -> Void,
        onCancel: @escaping @Sendable () -> Void
    ) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                register(ticket, continuation, ifUnknown: error)
                submit()
            }
        } onCancel: {
            self.resolve(ticket, .failure(CancellationError()))
            onCancel()
        }
    }
}
