import Foundation
import Logging
import Synchronization
import TocsinCore

/// Sends REST API v2 requests with PagerDuty's headers, retries what is worth retrying, keeps the
/// circuit breaker, and turns failures into ``IncidentServiceError``.
///
/// Headers (developer docs, REST API › "Authentication" and "Versioning"; go-pagerduty `client.go`):
/// `Authorization: Token token=<key>`, `Accept: application/vnd.pagerduty+json;version=2`,
/// `Content-Type: application/json`, and `From: <acting user's email>` on writes. Requests are made
/// one after another per command, as PagerDuty's rate-limit guidance asks ("Make requests serially
/// for a given authentication token"). The token and bodies are never logged: only method, path,
/// status, duration and attempt.
final class PagerDutyRESTClient: Sendable {
    static let acceptHeader = "application/vnd.pagerduty+json;version=2"

    let configuration: PagerDutyConfiguration
    let transport: any PagerDutyTransport
    let clock: any PagerDutyClock
    let jitter: @Sendable () -> Double
    let logger: Logger
    let retryPolicy: RetryPolicy
    private let state: Mutex<Condition>

    /// What `health()` reports, kept next to the breaker it describes.
    struct Condition: Sendable {
        var breaker: CircuitBreaker
        /// Set while requests are being retried, cleared by the next success.
        var retrying: String?
        /// Set by a 401, cleared by the next success: a token problem no retry fixes.
        var tokenRejected: String?
    }

    init(
        configuration: PagerDutyConfiguration, transport: any PagerDutyTransport, clock: any PagerDutyClock,
        jitter: @escaping @Sendable () -> Double, logger: Logger
    ) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.jitter = jitter
        self.logger = logger
        retryPolicy = RetryPolicy(maxRetries: configuration.maxRetries, maxServerWait: configuration.maxRetryWait)
        state = Mutex(Condition(
            breaker: CircuitBreaker(threshold: configuration.circuitBreakerThreshold,
                                    coolDown: configuration.circuitBreakerCoolDown)))
    }

    var condition: Condition { state.withLock { $0 } }

    /// The exchange as it goes on the wire.
    func exchange(for request: APIRequest) -> HTTPExchangeRequest {
        var headers = [
            HTTPField("Authorization", "Token token=\(configuration.apiToken)"),
            HTTPField("Accept", Self.acceptHeader),
            HTTPField("Content-Type", "application/json"),
        ]
        if let from = request.from {
            headers.append(HTTPField("From", from.email))
        }
        return HTTPExchangeRequest(
            method: request.method.rawValue, url: configuration.normalizedBaseURL + request.pathAndQuery,
            headers: headers, body: request.body)
    }

    /// Sends `request` until it gets a 2xx answer, a final error, or runs out of attempts.
    func send(_ request: APIRequest) async throws(IncidentServiceError) -> HTTPExchangeResponse {
        let wire = exchange(for: request)
        let label = "\(request.method.rawValue) \(request.path)"
        let callStarted = clock.now()
        /// Whether another attempt after `wait` fits both the retry count and the time budget.
        func mayRetry(after attempt: Int, waiting wait: Duration) -> Bool {
            attempt <= retryPolicy.maxRetries
                && clock.now().timeIntervalSince(callStarted) + wait.secondsDouble <= configuration.retryBudget.secondsDouble
        }
        var attempt = 0
        while true {
            attempt += 1
            let admission = state.withLock { $0.breaker.admit(now: clock.now()) }
            if case .refuse(let failures, let retryAt) = admission {
                throw .unavailable(CircuitBreaker.refusalMessage(failures: failures, retryAt: retryAt))
            }
            let started = ContinuousClock.now
            let response: HTTPExchangeResponse
            do {
                response = try await transport.send(wire, timeout: configuration.requestTimeout)
            } catch {
                if Task.isCancelled {
                    if admission == .probe { state.withLock { $0.breaker.recordAbandonedProbe() } }
                    throw .unavailable("request cancelled")
                }
                let reason = "\(label): \(error.reason)"
                try noteFailure(reason, attempt: attempt, started: started, status: nil, label: label)
                let retryable: Bool = if case .connectFailed = error { true } else { request.isIdempotent }
                guard retryable else {
                    throw .unavailable("\(error.reason) during \(label); it may have been applied — check before repeating")
                }
                let pause = retryPolicy.backoff(retry: attempt, jitter: jitter())
                guard mayRetry(after: attempt, waiting: pause) else {
                    throw .unavailable("\(error.reason) (\(attempt) \(attempt == 1 ? "attempt" : "attempts"))")
                }
                try await wait(pause)
                continue
            }

            let fields = logFields(label: label, status: response.status, started: started, attempt: attempt)
            switch RetryPolicy.classify(status: response.status) {
            case .success:
                state.withLock {
                    $0.breaker.recordSuccess()
                    $0.retrying = nil
                    $0.tokenRejected = nil
                }
                logger.debug("PagerDuty request", metadata: fields)
                return response

            case .rateLimited:
                state.withLock { $0.breaker.recordSuccess() }
                let requested = RetryPolicy.serverRequestedWait(in: response, now: clock.now())
                logger.notice("PagerDuty rate limit reached", metadata: fields.merging(
                    ["wait": "\(requested?.spoken ?? "unspecified")"], uniquingKeysWith: { $1 }))
                state.withLock { $0.retrying = "rate limited (429) on \(label)" }
                let pause = requested ?? retryPolicy.backoff(retry: attempt, jitter: jitter())
                if let requested, requested > retryPolicy.maxServerWait || !mayRetry(after: 0, waiting: requested) {
                    throw .unavailable("rate limited by PagerDuty (429); the limit resets in \(requested.spoken)")
                }
                guard mayRetry(after: attempt, waiting: pause) else {
                    throw .unavailable("rate limited by PagerDuty (429) after \(attempt) \(attempt == 1 ? "attempt" : "attempts")")
                }
                try await wait(pause)

            case .serverFailure:
                let detail = APIErrorBody.decode(response.body)?.text
                let reason = "\(label): HTTP \(response.status)\(detail.map { " \($0)" } ?? "")"
                try noteFailure(reason, attempt: attempt, started: started, status: response.status, label: label)
                let pause = RetryPolicy.serverRequestedWait(in: response, now: clock.now())
                    .map { min($0, retryPolicy.maxServerWait) } ?? retryPolicy.backoff(retry: attempt, jitter: jitter())
                guard mayRetry(after: attempt, waiting: pause) else {
                    throw .unavailable("PagerDuty answered \(response.status)\(detail.map { " (\($0))" } ?? "") "
                        + "after \(attempt) \(attempt == 1 ? "attempt" : "attempts")")
                }
                try await wait(pause)

            case .clientError:
                let error = IncidentServiceError.fromAnswer(status: response.status, body: response.body, request: request)
                state.withLock {
                    $0.breaker.recordSuccess()
                    $0.retrying = nil
                    if response.status == 401 { $0.tokenRejected = "PagerDuty answered 401 to \(label)" }
                }
                logger.info("PagerDuty refused request", metadata: fields)
                throw error
            }
        }
    }

    /// Sends and decodes a 2xx answer's JSON.
    func send<Answer: Decodable>(_ request: APIRequest, expecting: Answer.Type) async throws(IncidentServiceError) -> Answer {
        let response = try await send(request)
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(response.body))
        } catch {
            logger.warning("PagerDuty answer could not be decoded", metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.path)", "error": "\(error)",
            ])
            throw .unavailable("unexpected answer to \(request.method.rawValue) \(request.path) (\(Self.describe(error)))")
        }
    }

    /// Records a failed exchange; throws at once if that opened the circuit, so no time is spent
    /// waiting to retry into a circuit that will refuse.
    private func noteFailure(
        _ reason: String, attempt: Int, started: ContinuousClock.Instant, status: Int?, label: String
    ) throws(IncidentServiceError) {
        let now = clock.now()
        let breaker = state.withLock {
            $0.breaker.recordFailure(reason, now: now)
            $0.retrying = reason
            return $0.breaker
        }
        var fields = logFields(label: label, status: status, started: started, attempt: attempt)
        fields["reason"] = "\(reason)"
        if case .open(let until, let failures) = breaker.state {
            logger.warning("PagerDuty API circuit opened", metadata: fields)
            throw .unavailable(CircuitBreaker.refusalMessage(failures: failures, retryAt: until))
        }
        logger.notice("PagerDuty request failed", metadata: fields)
    }

    private func wait(_ duration: Duration) async throws(IncidentServiceError) {
        do {
            try await clock.sleep(for: duration)
        } catch {
            throw .unavailable("request cancelled")
        }
    }

    private func logFields(label: String, status: Int?, started: ContinuousClock.Instant, attempt: Int) -> Logger.Metadata {
        let elapsed = ContinuousClock.now - started
        var fields: Logger.Metadata = [
            "request": "\(label)",
            "duration_ms": "\(Int((elapsed.secondsDouble * 1000).rounded()))",
            "attempt": "\(attempt)",
        ]
        if let status { fields["status"] = "\(status)" }
        return fields
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            context.codingPath.map(\.stringValue).joined(separator: ".") + ": " + context.debugDescription
        default: "\(error)"
        }
    }
}
