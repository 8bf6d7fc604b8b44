import Foundation
import TocsinCore

/// Every reason an Events API v2 event was refused, listed as PagerDuty's 400 response lists them
/// (`{"status": "invalid event", "message": "Event object is invalid", "errors": […]}`).
struct InvalidAlertEvent: Error, Sendable, Equatable {
    var errors: [String]
}

/// Turns the JSON body of `POST /v2/enqueue` into an ``AlertEvent``, checking the fields PagerDuty's
/// developer docs define ("Events API v2" › "Send an Alert Event"): `routing_key` and `event_action`
/// required; `dedup_key` at most 255 characters, required to acknowledge or resolve and generated for a
/// trigger without one; for triggers a `payload` with `summary` (at most 1024 characters), `source` and
/// `severity` (critical|error|warning|info). Unknown fields are ignored; `payload` of acknowledge and
/// resolve events is not checked (Alertmanager sends its trigger payload with resolves too).
struct AlertEventValidation: Sendable {
    static let maxDedupKeyLength = 255
    static let maxSummaryLength = 1024

    var routingKeys: [String: String]

    /// The event (with `newDedupKey()` for a trigger that has none), or every problem found.
    func validate(_ body: JSONValue, newDedupKey: () -> String) -> Result<AlertEvent, InvalidAlertEvent> {
        guard body.objectValue != nil else {
            return .failure(InvalidAlertEvent(errors: ["Event must be a JSON object"]))
        }
        var errors: [String] = []

        var service: String?
        switch body["routing_key"] {
        case nil:
            errors.append("'routing_key' is missing or blank")
        case .string(let key) where key.isEmpty:
            errors.append("'routing_key' is missing or blank")
        case .string(let key):
            service = routingKeys[key]
            if service == nil { errors.append("Invalid routing key") }
        default:
            errors.append("'routing_key' must be a string")
        }

        var action: AlertEvent.Action?
        switch body["event_action"] {
        case nil, .string(""):
            errors.append("'event_action' is missing or blank")
        case .string(let raw):
            action = AlertEvent.Action(rawValue: raw)
            if action == nil { errors.append("'event_action' must be one of trigger, acknowledge, resolve") }
        default:
            errors.append("'event_action' must be one of trigger, acknowledge, resolve")
        }

        var dedupKey: String?
        switch body["dedup_key"] {
        case nil, .string(""):
            if let action, action != .trigger {
                errors.append("'dedup_key' is required for \(action.rawValue) events")
            }
        case .string(let key):
            if key.unicodeScalars.count > Self.maxDedupKeyLength {
                errors.append("'dedup_key' is too long (maximum is \(Self.maxDedupKeyLength) characters)")
            } else {
                dedupKey = key
            }
        default:
            errors.append("'dedup_key' must be a string")
        }

        var trigger: TriggerPayload?
        if action == .trigger {
            trigger = validatePayload(body["payload"], errors: &errors)
        }
        let links = validateLinks(body["links"], errors: &errors)
        if let images = body["images"], images.arrayValue == nil {
            errors.append("'images' must be an array")
        }
        for field in ["client", "client_url"] where body[field] != nil && body[field]?.stringValue == nil {
            errors.append("'\(field)' must be a string")
        }

        guard errors.isEmpty, let service, let action else {
            return .failure(InvalidAlertEvent(errors: errors))
        }
        return .success(AlertEvent(
            service: service, action: action, dedupKey: dedupKey ?? newDedupKey(),
            summary: trigger?.summary, source: trigger?.source, severity: trigger?.severity,
            component: trigger?.component, links: links
        ))
    }

    private struct TriggerPayload {
        var summary: String
        var source: String
        var severity: Severity
        var component: String?
    }

    private func validatePayload(_ payload: JSONValue?, errors: inout [String]) -> TriggerPayload? {
        guard let payload, payload.objectValue != nil else {
            errors.append("'payload' is missing or not an object")
            return nil
        }
        let summary = requiredString(payload, "summary", errors: &errors)
        if let summary, summary.unicodeScalars.count > Self.maxSummaryLength {
            errors.append("'payload.summary' is too long (maximum is \(Self.maxSummaryLength) characters)")
        }
        let source = requiredString(payload, "source", errors: &errors)
        var severity: Severity?
        if let raw = requiredString(payload, "severity", errors: &errors) {
            severity = Severity(rawValue: raw)
            if severity == nil { errors.append("'payload.severity' must be one of critical, error, warning, info") }
        }
        for field in ["timestamp", "component", "group", "class"]
        where payload[field] != nil && payload[field]?.stringValue == nil {
            errors.append("'payload.\(field)' must be a string")
        }
        guard let summary, summary.unicodeScalars.count <= Self.maxSummaryLength, let source, let severity else {
            return nil
        }
        let component = payload["component"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        return TriggerPayload(summary: summary, source: source, severity: severity, component: component)
    }

    private func requiredString(_ payload: JSONValue, _ field: String, errors: inout [String]) -> String? {
        switch payload[field] {
        case .string(let value) where !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty:
            return value
        case nil, .string:
            errors.append("'payload.\(field)' is missing or blank")
        default:
            errors.append("'payload.\(field)' must be a string")
        }
        return nil
    }

    /// `links[]` entries are `{href, text}` objects with `href` required (docs, "The links Property").
    private func validateLinks(_ links: JSONValue?, errors: inout [String]) -> [String] {
        guard let links else { return [] }
        guard let entries = links.arrayValue else {
            errors.append("'links' must be an array")
            return []
        }
        var hrefs: [String] = []
        for (index, entry) in entries.enumerated() {
            guard entry.objectValue != nil else {
                errors.append("'links[\(index)]' must be an object")
                continue
            }
            guard let href = entry["href"]?.stringValue, !href.isEmpty else {
                errors.append("'links[\(index)].href' is missing or blank")
                continue
            }
            if entry["text"] != nil && entry["text"]?.stringValue == nil {
                errors.append("'links[\(index)].text' must be a string")
            }
            hrefs.append(href)
        }
        return hrefs
    }
}
