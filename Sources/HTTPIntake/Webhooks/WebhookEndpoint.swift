import Foundation
import Hummingbird
import Logging
import Synchronization
import TocsinCore

/// `POST /webhooks/pagerduty`: PagerDuty Webhooks v3 deliveries, verified and announced.
///
/// Answers follow PagerDuty's delivery rules (developer docs, "Webhooks" › "Behavior"): any 4xx but 429
/// drops the delivery without retry, so requests that will never succeed get one (400 malformed
/// header or body, 403 bad signature, 413 too large); 5xx and timeouts are retried, and a 2xx is
/// expected within 5 seconds, so a genuine event is answered 202 once published or once
/// ``IntakeConfiguration/webhookAnswerDeadline`` passes, whichever comes first. Event types Tocsin does
/// not announce are answered 202 and dropped.
struct WebhookEndpoint: Sendable {
    var configuration: IntakeConfiguration
    var events: any IncidentEventSink
    var metrics: IntakeMetrics
    var logger: Logger
    let signature: WebhookSignature
    let translation: WebhookEventTranslation
    let memory: WebhookMemory

    init(configuration: IntakeConfiguration, events: any IncidentEventSink, metrics: IntakeMetrics, logger: Logger) {
        self.configuration = configuration
        self.events = events
        self.metrics = metrics
        self.logger = logger
        signature = WebhookSignature(secrets: configuration.webhookSecrets)
        translation = WebhookEventTranslation(serviceNamesByPagerDutyID: configuration.serviceNamesByPagerDutyID)
        memory = WebhookMemory(eventCapacity: configuration.recentWebhookEventCapacity)
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

        let decoder = JSONDecoder()
        guard let head = try? decoder.decode(WebhookEnvelope.Head.self, from: Data(body)) else {
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
            envelope = try decoder.decode(WebhookEnvelope.self, from: Data(body))
        } catch {
            metadata["error"] = .string(String(describing: error))
            logger.notice("PagerDuty webhook refused: incident event could not be decoded", metadata: metadata)
            return answer(.badRequest, "invalid", "Incident event could not be decoded", .invalid)
        }

        switch await memory.admit(envelope.event, kind: kind, translation: translation) {
        case .duplicate:
            logger.debug("PagerDuty webhook event already published", metadata: metadata)
            return answer(.accepted, "duplicate", "Event already received", .duplicate)
        case .noIncident:
            logger.notice("PagerDuty webhook refused: event data names no incident", metadata: metadata)
            return answer(.badRequest, "invalid", "Event data names no incident", .invalid)
        case .publish(let event):
            let inTime = await Self.publish(event, to: events, within: configuration.webhookAnswerDeadline)
            metadata["incident"] = .string(event.incident.id)
            if inTime {
                logger.info("PagerDuty webhook event published", metadata: metadata)
            } else {
                logger.warning("PagerDuty webhook answered before the event sink finished", metadata: metadata)
            }
            return answer(.accepted, "accepted", "Event received", .published)
        }
    }

    private func answer(
        _ status: HTTPResponse.Status, _ word: String, _ message: String, _ outcome: IntakeMetrics.Outcome
    ) -> Response {
        metrics.count(.webhook, outcome)
        return jsonResponse(status: status, WebhookResponse(status: word, message: message))
    }

    /// Publishes `event` and waits for it at most `deadline`; true when the sink finished in time.
    /// Publishing goes on after the deadline: the answer must not wait, the event must not be lost.
    static func publish(_ event: IncidentEvent, to sink: any IncidentEventSink, within deadline: Duration) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let answer = SingleAnswer(continuation)
            let timer = Task {
                guard (try? await Task.sleep(for: deadline)) != nil else { return }
                answer.resume(false)
            }
            Task {
                await sink.publish(event)
                answer.resume(true)
                timer.cancel()
            }
        }
    }
}

/// Resumes a continuation once, whichever of the sink or the timer is first.
private final class SingleAnswer: Sendable {
    private let continuation: Mutex<CheckedContinuation<Bool, Never>?>

    init(_ continuation: CheckedContinuation<Bool, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: Bool) {
        continuation.withLock { pending in
            pending?.resume(returning: value)
            pending = nil
        }
    }
}
