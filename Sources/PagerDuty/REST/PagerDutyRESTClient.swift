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
        /// A background probe is waiting for the cool-down to end (see ``scheduleProbe()``).
        var probeScheduled = false
        var probeTask: Task<Void, Never>?
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

    /// Sends `request` until it gets a 2xx answer, a final error, or runs out of attempts, and
    /// decodes the answer.
    ///
    /// A write that is not idempotent (``APIRequest/isIdempotent``: a note, a new incident, a
    /// snooze) is never sent again blindly after a 5xx, a timeout or a dropped connection: PagerDuty
    /// may have applied it before failing to answer. `ifUnsure` looks for the write's effect (the
    /// note in the incident's notes, the incident by its `incident_key`…); when it finds it, that is
    /// the answer, otherwise the write is repeated while attempts and the retry budget last.
    /// Without `ifUnsure` such a failure is final and says the write may have been applied.
    func send<Answer: Decodable>(
        _ request: APIRequest, expecting: Answer.Type,
        ifUnsure findApplied: (() async throws(IncidentServiceError) -> Answer?)? = nil
    ) async throws(IncidentServiceError) -> Answer {
        switch try await sendOrRefusal(request, expecting: expecting, ifUnsure: findApplied) {
        case .success(let answer): return answer
        case .failure(let refusal): throw refusal.error
        }
    }

    /// A final 4xx answer with PagerDuty's error code, for callers that read the outcome from it
    /// (developer docs, REST API › "Errors": 1001 "Incident Already Resolved", 1002 "Incident
    /// Already Acknowledged").
    struct Refusal: Error, Sendable, Hashable {
        var status: Int
        /// `error.code` of the answer's error document, when it has one.
        var code: Int?
        /// The error ``send(_:expecting:ifUnsure:)`` throws for this answer.
        var error: IncidentServiceError
    }

    /// ``send(_:expecting:ifUnsure:)``, with a final 4xx answer (not 408 or 429, which are retried)
    /// returned as a ``Refusal`` rather than thrown.
    func sendOrRefusal<Answer: Decodable>(
        _ request: APIRequest, expecting: Answer.Type,
        ifUnsure findApplied: (() async throws(IncidentServiceError) -> Answer?)? = nil
    ) async throws(IncidentServiceError) -> Result<Answer, Refusal> {
        let label = "\(request.method.rawValue) \(request.path)"
        let callStarted = clock.now()
        /// Whether another attempt after `wait` fits both the retry count and the time budget.
        func mayRetry(after attempt: Int, waiting wait: Duration) -> Bool {
            attempt <= retryPolicy.maxRetries
                && clock.now().timeIntervalSince(callStarted) + wait.secondsDouble <= configuration.retryBudget.secondsDouble
        }
        /// After a failure that may hide an applied write: looks for its effect. Returns the found
        /// answer, or nil when the write should be repeated; throws when it must not be.
        func settleUncertainWrite(_ reason: String, attempt: Int, pause: Duration) async throws(IncidentServiceError) -> Answer? {
            let unsure = "\(reason); it may have been applied — check before repeating"
            guard let findApplied else { throw .unavailable(unsure) }
            let repeatable = mayRetry(after: attempt, waiting: pause)
            if repeatable { try await wait(pause) }
            let found: Answer?
            do {
                found = try await findApplied()
            } catch {
                throw .unavailable("\(unsure) (looking for it failed: \(error))")
            }
            if let found {
                logger.notice("PagerDuty applied a write whose answer was lost", metadata: ["request": "\(label)", "attempt": "\(attempt)"])
                return found
            }
            guard repeatable else {
                throw .unavailable("\(reason) (\(attempt) \(attempt == 1 ? "attempt" : "attempts")); it was not applied")
            }
            logger.notice("PagerDuty write was not applied; repeating it", metadata: ["request": "\(label)", "attempt": "\(attempt)"])
            return nil
        }

        let wire = exchange(for: request)
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
                    if admission == .probe { abandonProbe() }
                    throw .unavailable("request cancelled")
                }
                let reason = "\(label): \(error.reason)"
                // A connection that was never made carried nothing: repeating it is always safe.
                let uncertain: Bool = if case .connectFailed = error { false } else { !request.isIdempotent }
                try noteFailure(reason, attempt: attempt, started: started, status: nil, label: label, uncertain: uncertain)
                let pause = retryPolicy.backoff(retry: attempt, jitter: jitter())
                if uncertain {
                    if let found = try await settleUncertainWrite(reason, attempt: attempt, pause: pause) { return .success(found) }
                    continue
                }
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
                return .success(try decode(response, as: Answer.self, for: request))

            case .rateLimited:
                // A 429 is refused before anything is applied, so even writes are repeated.
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
                let uncertain = !request.isIdempotent
                try noteFailure(reason, attempt: attempt, started: started, status: response.status, label: label, uncertain: uncertain)
                let pause = RetryPolicy.serverRequestedWait(in: response, now: clock.now())
                    .map { min($0, retryPolicy.maxServerWait) } ?? retryPolicy.backoff(retry: attempt, jitter: jitter())
                if uncertain {
                    let said = "PagerDuty answered \(response.status) to \(label)\(detail.map { " (\($0))" } ?? "")"
                    if let found = try await settleUncertainWrite(said, attempt: attempt, pause: pause) { return .success(found) }
                    continue
                }
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
                return .failure(Refusal(status: response.status, code: APIErrorBody.decode(response.body)?.code, error: error))
            }
        }
    }

    private func decode<Answer: Decodable>(
        _ response: HTTPExchangeResponse, as: Answer.Type, for request: APIRequest
    ) throws(IncidentServiceError) -> Answer {
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(response.body))
        } catch {
            logger.warning("PagerDuty answer could not be decoded", metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.path)", "error": "\(error)",
            ])
            throw .unavailable("unexpected answer to \(request.method.rawValue) \(request.path) (\(Self.describe(error)))")
        }
    }

    // MARK: Background probe

    /// The probe's request: a cheap read every API key may make (REST API › "Abilities":
    /// `GET /abilities` lists the account's abilities), which changes nothing.
    static let probeRequest = APIRequest(.get, "/abilities")

    /// Starts the background probe unless one is already waiting: it sleeps until the circuit's
    /// cool-down ends and sends ``probeRequest``, so the circuit closes — and `/readyz` says
    /// so — when PagerDuty is back, without waiting for someone to type a command. It runs only
    /// while the circuit is open and ends when it closes: no periodic tick.
    private func scheduleProbe() {
        let start = state.withLock { condition -> Bool in
            guard !condition.probeScheduled else { return false }
            condition.probeScheduled = true
            return true
        }
        guard start else { return }
        let probe = Task { [self] in await probeUntilClosed() }
        state.withLock { $0.probeTask = probe }
    }

    private func probeUntilClosed() async {
        while true {
            let due: Date? = state.withLock { condition in
                if case .open(let until, _) = condition.breaker.state { return until }
                condition.probeScheduled = false
                condition.probeTask = nil
                return nil
            }
            guard let due else { return }
            do {
                try await clock.sleep(until: due)
            } catch {
                state.withLock {
                    $0.probeScheduled = false
                    $0.probeTask = nil
                }
                return
            }
            if Task.isCancelled {
                state.withLock {
                    $0.probeScheduled = false
                    $0.probeTask = nil
                }
                return
            }
            // A command may have probed (and closed the circuit) meanwhile: then nothing to do.
            guard state.withLock({ $0.breaker.isOpen }) else { continue }
            logger.info("Probing PagerDuty after the circuit breaker's cool-down", metadata: ["request": "GET /abilities"])
            do {
                let _: Abilities = try await send(Self.probeRequest, expecting: Abilities.self)
                logger.notice("PagerDuty answered the probe; circuit closed")
            } catch {
                logger.info("PagerDuty probe failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// A probe cancelled before it got an answer: the next call may probe, and so may the
    /// background probe.
    private func abandonProbe() {
        state.withLock { $0.breaker.recordAbandonedProbe() }
        scheduleProbe()
    }

    /// Stops the background probe (at shutdown). Calls still work; the next failure that opens the
    /// circuit schedules a new probe.
    func stopProbing() {
        let task = state.withLock { condition -> Task<Void, Never>? in
            defer {
                condition.probeTask = nil
                condition.probeScheduled = false
            }
            return condition.probeTask
        }
        task?.cancel()
    }

    /// Records a failed exchange; throws at once if that opened the circuit, so no time is spent
    /// waiting to retry into a circuit that will refuse.
    private func noteFailure(
        _ reason: String, attempt: Int, started: ContinuousClock.Instant, status: Int?, label: String, uncertain: Bool
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
            scheduleProbe()
            let refusal = CircuitBreaker.refusalMessage(failures: failures, retryAt: until)
            throw .unavailable(uncertain ? "\(reason), then \(refusal); it may have been applied — check before repeating" : refusal)
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
