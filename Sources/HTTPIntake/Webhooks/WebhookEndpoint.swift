import Foundation
import Hummingbird
import Logging
import PagerDuty
import Synchronization
import TocsinCore

/// `POST /webhooks/pagerduty`: PagerDuty Webhooks v3 deliveries, verified, stored and announced.
///
/// Answers follow PagerDuty's delivery rules (developer docs, "Webhooks" › "Behavior"): any 4xx but 429
/// drops the delivery without retry, so requests that will never succeed get one (400 malformed
/// header or body, 403 bad signature, 413 too large, 422 `occurred_at` outside the replay window);
/// 5xx and timeouts are retried for up to 48 h. So a genuine event is answered 202 only once its
/// announcements are stored, and 503 when they could not be, or not within
/// ``IntakeConfiguration/webhookAnswerDeadline`` (the store goes on; the redelivery then finds the id
/// recorded). The id is recorded in the ``WebhookEventLedger`` only after the store, so a delivery
/// that failed is stored on its retry instead of being called a duplicate. Event types Tocsin does
/// not announce are answered 202 and dropped.
struct WebhookEndpoint: Sendable {
    var configuration: IntakeConfiguration
    var events: any IncidentEventSink
    var ledger: any WebhookEventLedger
    var now: @Sendable () -> Date
    var metrics: IntakeMetrics
    var logger: Logger
    let signature: WebhookSignature
    let translation: WebhookEventTranslation
    let memory: WebhookMemory

    init(
        configuration: IntakeConfiguration, events: any IncidentEventSink, ledger: any WebhookEventLedger,
        now: @escaping @Sendable () -> Date, metrics: IntakeMetrics, logger: Logger
    ) {
        self.configuration = configuration
        self.events = events
        self.ledger = ledger
        self.now = now
        self.metrics = metrics
        self.logger = logger
        signature = WebhookSignature(secrets: configuration.webhookSecrets)
        translation = WebhookEventTranslation(serviceNamesByPagerDutyID: configuration.serviceNamesByPagerDutyID)
        memory = WebhookMemory()
    }

    func handle(_ request: Request) async -> Response {
        guard !configuration.webhookSecrets.isEmpty else {
            return answer(.notFound, "not found", "PagerDuty webhooks are not enabled on this gateway", .unavailable)
        }
        let headerValues = request.headers.values(named: WebhookSignature.headerName)
        guard !WebhookSignature.signatures(inHeaderValues: headerValues).isEmpty else {
            logger.notice("PagerDuty webhook refused: X-PagerDuty-Signature missing or malformed")
            return answer(.badRequest, "invalid", "X-PagerDuty-Signature header is missing or malformed", .invalid)
        }
        let body: [UInt8]
        do {
            body = Array(try await request.body.collect(upTo: configuration.maxBodyBytes).readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            logger.notice("PagerDuty webhook refused: body over \(configuration.maxBodyBytes) bytes")
            return answer(.contentTooLarge, "invalid", "Body is larger than \(configuration.maxBodyBytes) bytes",
                          .tooLarge)
        } catch {
            return answer(.badRequest, "invalid", "Body could not be read", .invalid)
        }
        guard signature.verify(body: body, headerValues: headerValues) == .genuine else {
            logger.warning("PagerDuty webhook refused: no signature matches a configured secret")
            return answer(.forbidden, "forbidden", "No valid signature", .forbidden)
        }

        guard let head = try? WebhookEnvelope.Head.decode(body) else {
            logger.notice("PagerDuty webhook refused: body is not a Webhooks v3 envelope")
            return answer(.badRequest, "invalid", "Body is not a PagerDuty v3 webhook event", .invalid)
        }
        var metadata: Logger.Metadata = ["event_id": .string(head.event.id), "event_type": .string(head.event.eventType)]
        guard head.event.eventType.hasPrefix("incident."),
              let kind = IncidentEventKind(eventType: head.event.eventType)
        else {
            logger.debug("PagerDuty webhook event ignored", metadata: metadata)
            return answer(.accepted, "ignored", "Event type is not announced", .ignored)
        }
        let envelope: WebhookEnvelope
        do {
            envelope = try WebhookEnvelope.decode(body)
        } catch {
            metadata["error"] = .string(String(describing: error))
            logger.notice("PagerDuty webhook refused: incident event could not be decoded", metadata: metadata)
            return answer(.badRequest, "invalid", "Incident event could not be decoded", .invalid)
        }

        // A captured delivery replayed after the window is refused on its signed timestamp alone.
        let received = now()
        guard let occurredAt = WebhookEventTranslation.date(envelope.event.occurredAt) else {
            logger.notice("PagerDuty webhook refused: occurred_at missing or not ISO 8601", metadata: metadata)
            return answer(.badRequest, "invalid", "event.occurred_at is missing or not an ISO 8601 time", .invalid)
        }
        let window = TimeInterval(configuration.webhookReplayWindow.components.seconds)
        guard received.timeIntervalSince(occurredAt) <= window else {
            metadata["occurred_at"] = .string(envelope.event.occurredAt ?? "")
            logger.warning("PagerDuty webhook refused: occurred_at is older than the replay window", metadata: metadata)
            return answer(.unprocessableContent, "expired",
                          "event.occurred_at is older than \(Int(window / 3600)) hours; replayed deliveries are not accepted",
                          .expired)
        }
        do {
            if try await ledger.contains(envelope.event.id, now: received) {
                logger.debug("PagerDuty webhook event already stored", metadata: metadata)
                return answer(.accepted, "duplicate", "Event already received", .duplicate)
            }
        } catch {
            metadata["error"] = .string(String(describing: error))
            logger.error("PagerDuty webhook not accepted: the event ledger could not be read", metadata: metadata)
            return answer(.serviceUnavailable, "error", "Event could not be checked; retry later", .failed)
        }

        switch await memory.admit(envelope.event, kind: kind, translation: translation) {
        case .inFlight:
            logger.debug("PagerDuty webhook event is being stored by another delivery", metadata: metadata)
            return answer(.serviceUnavailable, "busy", "Event is being stored; retry later", .failed)
        case .noIncident:
            logger.notice("PagerDuty webhook refused: event data names no incident", metadata: metadata)
            return answer(.badRequest, "invalid", "Event data names no incident", .invalid)
        case .publish(let event):
            metadata["incident"] = .string(event.incident.id)
            // Kept until the event leaves the window, whichever clock is ahead.
            let expiresAt = max(occurredAt, received).addingTimeInterval(window)
            let outcome = await store(event, expiresAt: expiresAt, metadata: metadata)
            switch outcome {
            case .stored:
                logger.info("PagerDuty webhook event stored", metadata: metadata)
                return answer(.accepted, "accepted", "Event received", .published)
            case .failed(let error):
                metadata["error"] = .string(error)
                logger.error("PagerDuty webhook event could not be stored; answered 503 so PagerDuty retries",
                             metadata: metadata)
                return answer(.serviceUnavailable, "error", "Event could not be stored; retry later", .failed)
            case .stillStoring:
                logger.warning("PagerDuty webhook event not stored within the deadline; answered 503 so PagerDuty retries",
                               metadata: metadata)
                return answer(.serviceUnavailable, "busy", "Event is still being stored; retry later", .failed)
            }
        }
    }

    private func answer(
        _ status: HTTPResponse.Status, _ word: String, _ message: String, _ outcome: IntakeMetrics.Outcome
    ) -> Response {
        metrics.count(.webhook, outcome)
        return jsonResponse(status: status, WebhookResponse(status: word, message: message))
    }

    enum StoreOutcome: Sendable, Equatable {
        case stored
        case failed(String)
        /// The deadline passed first; the store goes on and records the id if it succeeds.
        case stillStoring
    }

    /// Publishes `event`, records its id once stored, and waits for that at most
    /// ``IntakeConfiguration/webhookAnswerDeadline`` (PagerDuty gives up on a delivery after 5 s).
    /// The claim on the id is released only after the ledger write, so a redelivery finds the event
    /// either in flight or recorded.
    private func store(_ event: IncidentEvent, expiresAt: Date, metadata: Logger.Metadata) async -> StoreOutcome {
        let (events, ledger, memory, logger) = (events, ledger, memory, logger)
        return await withCheckedContinuation { (continuation: CheckedContinuation<StoreOutcome, Never>) in
            let answer = SingleAnswer(continuation)
            let timer = Task {
                guard (try? await Task.sleep(for: configuration.webhookAnswerDeadline)) != nil else { return }
                answer.resume(.stillStoring)
            }
            Task {
                let outcome: StoreOutcome
                do {
                    try await events.publish(event)
                    do {
                        try await ledger.record(event.id, expiresAt: expiresAt)
                    } catch {
                        // Stored all the same; a redelivery is caught by the outbox's own de-duplication.
                        var metadata = metadata
                        metadata["error"] = .string(String(describing: error))
                        logger.error("PagerDuty webhook event stored but its id not recorded", metadata: metadata)
                    }
                    outcome = .stored
                } catch {
                    outcome = .failed(String(describing: error))
                }
                await memory.release(event.id)
                answer.resume(outcome)
                timer.cancel()
            }
        }
    }
}

/// Resumes a continuation once, whichever of the sink or the timer is first.
private final class SingleAnswer: Sendable {
    private let continuation: Mutex<CheckedContinuation<WebhookEndpoint.StoreOutcome, Never>?>

    init(_ continuation: CheckedContinuation<WebhookEndpoint.StoreOutcome, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: WebhookEndpoint.StoreOutcome) {
        continuation.withLock { pending in
            pending?.resume(returning: value)
            pending = nil
        }
    }
}
