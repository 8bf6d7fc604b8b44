import Foundation
import Logging
import Synchronization
import TocsinCore
@testable import PagerDuty

/// A scripted PagerDuty: answers each exchange from a handler keyed on method and path, and records
/// what Tocsin sent.
final class FakeTransport: PagerDutyTransport, Sendable {
    typealias Handler = @Sendable (HTTPExchangeRequest) throws(TransportFailure) -> HTTPExchangeResponse

    private let state: Mutex<State>

    private struct State {
        var requests: [HTTPExchangeRequest] = []
        var queued: [Result<HTTPExchangeResponse, TransportFailure>] = []
        var handler: Handler
    }

    init(handler: @escaping Handler = { _ in HTTPExchangeResponse(status: 404, body: Samples.notFoundError) }) {
        state = Mutex(State(handler: handler))
    }

    /// Answers for the next exchanges, before the handler is consulted.
    func enqueue(_ answers: Result<HTTPExchangeResponse, TransportFailure>...) {
        state.withLock { $0.queued += answers }
    }

    func setHandler(_ handler: @escaping Handler) {
        state.withLock { $0.handler = handler }
    }

    var requests: [HTTPExchangeRequest] { state.withLock { $0.requests } }

    func send(_ request: HTTPExchangeRequest, timeout: Duration) async throws(TransportFailure) -> HTTPExchangeResponse {
        let (queued, handler) = state.withLock { state -> (Result<HTTPExchangeResponse, TransportFailure>?, Handler) in
            state.requests.append(request)
            return (state.queued.isEmpty ? nil : state.queued.removeFirst(), state.handler)
        }
        if let queued { return try queued.get() }
        return try handler(request)
    }
}

/// Time that passes only when the code under test sleeps or a test advances it.
///
/// `sleep(for:)` (retry back-off) moves time at once; `sleep(until:)` (the circuit breaker's
/// background probe) waits until a test — or a back-off — moves time past the deadline.
final class VirtualClock: PagerDutyClock, Sendable {
    private struct State {
        var now: Date
        var sleeps: [Duration] = []
        var waiters: [(deadline: Date, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state: Mutex<State>

    init(start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        state = Mutex(State(now: start))
    }

    func now() -> Date { state.withLock { $0.now } }

    func sleep(for duration: Duration) async throws {
        let due = state.withLock {
            $0.sleeps.append(duration)
            $0.now += duration.secondsDouble
            return Self.takeDue(&$0)
        }
        due.forEach { $0.resume() }
    }

    func sleep(until deadline: Date) async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.now >= deadline { return true }
                state.waiters.append((deadline, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func advance(by seconds: TimeInterval) {
        let due = state.withLock {
            $0.now += seconds
            return Self.takeDue(&$0)
        }
        due.forEach { $0.resume() }
    }

    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// How many `sleep(until:)` calls are waiting: the background probes scheduled.
    var waiting: Int { state.withLock { $0.waiters.count } }

    private static func takeDue(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        let now = state.now
        let due = state.waiters.filter { $0.deadline <= now }.map(\.continuation)
        state.waiters.removeAll { $0.deadline <= now }
        return due
    }
}

/// Polls `condition` for at most 30 s of real time while background work catches up (generous:
/// it costs time only when a test fails, and CI runs every test side by side on two cores).
func eventually(_ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return await condition()
}

extension HTTPExchangeResponse {
    static func json(_ status: Int, _ body: String, headers: [HTTPField] = []) -> HTTPExchangeResponse {
        HTTPExchangeResponse(status: status, headers: [HTTPField("Content-Type", "application/json")] + headers,
                             body: Array(body.utf8))
    }
}

extension HTTPExchangeRequest {
    var path: String {
        let afterHost = url.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" }
        return String(afterHost.prefix { $0 != "?" })
    }

    var query: [(String, String)] {
        guard let mark = url.firstIndex(of: "?") else { return [] }
        return url[url.index(after: mark)...].split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    func queryValues(_ name: String) -> [String] {
        query.filter { $0.0 == name }.map(\.1)
    }

    /// The body parsed as JSON, for comparing structure rather than bytes.
    var jsonBody: NSDictionary? {
        guard let body else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body))) as? NSDictionary
    }
}

func json(_ text: String) -> NSDictionary {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? NSDictionary ?? [:]
}

enum Fixture {
    static let configuration = PagerDutyConfiguration(
        apiToken: "y_NbAkKc66ryYTWUXYEu", baseURL: "https://api.pagerduty.test/",
        services: ["api": "PIJ90N7", "db": "PDBSVC1"],
        schedules: ["primary": "PSCHED1"],
        escalationPolicies: ["default": "PESCAL1"],
        requestTimeout: .seconds(5), maxRetries: 3)

    static let alice = Actor(email: "alice@example.org")

    static func service(
        _ transport: FakeTransport, clock: VirtualClock = VirtualClock(),
        configuration: PagerDutyConfiguration = Fixture.configuration, jitter: Double = 0.5
    ) -> PagerDutyService {
        PagerDutyService(configuration: configuration, transport: transport, clock: clock, jitter: { jitter },
                         logger: Logger(label: "test.pagerduty"))
    }
}
