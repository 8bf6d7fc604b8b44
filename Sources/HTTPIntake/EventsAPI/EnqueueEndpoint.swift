import Foundation
import Hummingbird
import Logging
import TocsinCore

/// `POST /v2/enqueue`: PagerDuty Events API v2 compatible intake, so Alertmanager's `pagerduty_configs`
/// (with `url:` pointing here) and any Events v2 client can open, acknowledge and resolve incidents in
/// the embedded store.
///
/// Status codes follow PagerDuty's table ("Events API v2 Overview" › "Response Codes & Retry Logic"):
/// 202 accepted, 400 for anything wrong with the request and 413 for a body over the cap (not retried
/// by clients), 5xx when the store failed (clients retry). Nothing is stored unless the whole event is valid.
struct EnqueueEndpoint: Sendable {
    var configuration: IntakeConfiguration
    var alerts: (any AlertEventIntake)?
    var metrics: IntakeMetrics
    var logger: Logger

    func handle(_ request: Request) async -> Response {
        guard let alerts else {
            metrics.count(.enqueue, .unavailable)
            return jsonResponse(status: .notFound, EventsAPIResponse.Failure(
                status: "not found",
                message: "This gateway's incident backend takes no Events API events; send them to PagerDuty",
                errors: ["The Events API intake is disabled for this backend"]
            ))
        }
        if let problem = contentTypeProblem(request) {
            return invalid([problem], outcome: .invalid)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return invalid(["Event is larger than \(configuration.maxBodyBytes) bytes"], outcome: .tooLarge,
                           status: .contentTooLarge)
        } catch {
            return invalid(["Request body could not be read"], outcome: .invalid)
        }
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        } catch {
            return invalid(["Request body is not valid JSON"], outcome: .invalid)
        }

        let validation = AlertEventValidation(routingKeys: configuration.routingKeys)
        let event: AlertEvent
        switch validation.validate(json, newDedupKey: Self.newDedupKey) {
        case .failure(let invalidEvent):
            var metadata: Logger.Metadata = ["errors": .array(invalidEvent.errors.map { .string($0) })]
            if let key = json["routing_key"]?.stringValue { metadata["routing_key"] = .string(redacted(key)) }
            logger.notice("Events API event refused", metadata: metadata)
            return invalid(invalidEvent.errors, outcome: .invalid)
        case .success(let valid):
            event = valid
        }

        do {
            let outcome = try await alerts.enqueue(event)
            metrics.count(.enqueue, .accepted)
            logger.debug("Events API event processed", metadata: [
                "service": .string(event.service), "action": .string(event.action.rawValue),
                "dedup_key": .string(event.dedupKey), "outcome": .string("\(outcome)"),
            ])
            return jsonResponse(status: .accepted, EventsAPIResponse.Accepted(dedupKey: event.dedupKey))
        } catch {
            metrics.count(.enqueue, .failed)
            logger.error("Events API event could not be stored", metadata: [
                "service": .string(event.service), "action": .string(event.action.rawValue),
                "dedup_key": .string(event.dedupKey), "error": .string(String(describing: error)),
            ])
            return jsonResponse(status: .internalServerError, EventsAPIResponse.Failure(
                status: "error", message: "Event could not be stored; retry later",
                errors: ["The incident store failed to accept the event"]
            ))
        }
    }

    /// 400, or 413 for a body over ``IntakeConfiguration/maxBodyBytes`` (RFC 9110 §15.5.14): neither is
    /// retried by Events API clients.
    private func invalid(
        _ errors: [String], outcome: IntakeMetrics.Outcome, status: HTTPResponse.Status = .badRequest
    ) -> Response {
        metrics.count(.enqueue, outcome)
        return jsonResponse(status: status, EventsAPIResponse.Failure.invalid(errors))
    }

    /// Events API clients send `application/json`; a form or text body is a client mistake (a bare
    /// `curl -d`), answered in PagerDuty's error shape. A request without Content-Type is read as JSON.
    private func contentTypeProblem(_ request: Request) -> String? {
        guard let contentType = request.headers[.contentType] else { return nil }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if mediaType == "application/json" || mediaType.hasSuffix("+json") { return nil }
        return "Content-Type must be application/json"
    }

    /// A unique key for a trigger sent without one: 32 lowercase hex digits of a random UUID, as
    /// PagerDuty generates ("Alert De-Duplication": "the automatically generated dedup_key will be a
    /// unique UUID").
    static func newDedupKey() -> String {
        UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}
