import Synchronization
import TocsinCore

/// A ``ChatTransport`` that records what it was asked to send and fails as the test decides.
final class FakeChatTransport: ChatTransport {
    typealias Failure = @Sendable (OutboxItem) -> (any Error)?

    let network: String
    private let state: Mutex<State>

    private struct State {
        var attempts: [OutboxItem] = []
        var delivered: [OutboxItem] = []
        var failure: Failure
    }

    init(network: String = Fixtures.network, failure: @escaping Failure = { _ in nil }) {
        self.network = network
        self.state = Mutex(State(failure: failure))
    }

    func deliver(_ item: OutboxItem) async throws {
        let error: (any Error)? = state.withLock { state in
            state.attempts.append(item)
            if let error = state.failure(item) { return error }
            state.delivered.append(item)
            return nil
        }
        if let error { throw error }
    }

    /// Changes how later deliveries behave (e.g. the connection came back).
    func setFailure(_ failure: @escaping Failure) {
        state.withLock { $0.failure = failure }
    }

    var attempts: [OutboxItem] { state.withLock { $0.attempts } }
    var delivered: [OutboxItem] { state.withLock { $0.delivered } }
    var deliveredTexts: [String] { delivered.map(\.message.text.plainText) }
}

/// An outbox whose storage is gone, for the error paths.
struct BrokenOutbox: Outbox {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "disk I/O error" }
    }

    func enqueue(_ messages: [OutboxMessage]) async throws -> [OutboxItem] { throw Unavailable() }
    func pending(network: String, priorities: ClosedRange<DeliveryPriority>, limit: Int) async throws -> [OutboxItem] { throw Unavailable() }
    func markDelivered(_ id: Int64) async throws { throw Unavailable() }
    func recordFailedAttempt(_ id: Int64) async throws { throw Unavailable() }
    func backlog() async throws -> [String: Int] { throw Unavailable() }
}
