import Foundation
import TocsinCore

/// Turns a verified Webhooks v3 event into the ``IncidentEvent`` the rooms hear about.
///
/// Incident events carry the whole incident in `data` (number, title, status, urgency, service, teams,
/// assignees, priority, `html_url`). Note and status-update events carry only an incident reference
/// (id, title, link), so the rest comes from the last full snapshot of that incident this intake saw;
/// without one, the number is 0 and the service ``unknownService``. Times are read by the same
/// ``PagerDutyDate`` parser as the REST resources.
public struct WebhookEventTranslation: Sendable {
    /// Service name for note and status-update events of incidents never seen in full.
    public static let unknownService = "unknown"

    public enum Failure: Error, Sendable, Equatable {
        /// `data` names no incident: nothing to announce, and redelivery would not help.
        case noIncident
    }

    /// PagerDuty service id → the name the configuration gives it (as ``IncidentMapping`` uses).
    public var serviceNamesByPagerDutyID: [String: String]

    public init(serviceNamesByPagerDutyID: [String: String]) {
        self.serviceNamesByPagerDutyID = serviceNamesByPagerDutyID
    }

    public func translate(
        _ event: WebhookEnvelope.Event, kind: IncidentEventKind, lastSnapshot: (String) -> Incident?
    ) -> Result<IncidentEvent, Failure> {
        guard let data = event.data else { return .failure(.noIncident) }
        let occurredAt = Self.date(event.occurredAt) ?? Date()
        let incident: Incident
        if let reference = data.incident {
            guard let id = reference.id else { return .failure(.noIncident) }
            incident = referencedIncident(id: id, reference: reference, kind: kind,
                                          occurredAt: occurredAt, snapshot: lastSnapshot(id))
        } else {
            guard let id = data.id else { return .failure(.noIncident) }
            incident = fullIncident(id: id, data: data, kind: kind, occurredAt: occurredAt,
                                    snapshot: lastSnapshot(id))
        }
        return .success(IncidentEvent(
            id: event.id, kind: kind, incident: incident, actor: event.agent?.summary,
            detail: detail(of: kind, data: data), occurredAt: occurredAt
        ))
    }

    private func fullIncident(
        id: String, data: WebhookEnvelope.EventData, kind: IncidentEventKind, occurredAt: Date, snapshot: Incident?
    ) -> Incident {
        let service = data.service.flatMap { reference in
            reference.id.flatMap { serviceNamesByPagerDutyID[$0] } ?? reference.summary
        }
        return Incident(
            number: data.number ?? snapshot?.number ?? 0,
            id: id,
            title: data.title ?? snapshot?.title ?? id,
            service: service ?? snapshot?.service ?? Self.unknownService,
            team: data.teams?.first?.summary ?? snapshot?.team,
            urgency: data.urgency.flatMap(Urgency.init(rawValue:)) ?? snapshot?.urgency ?? .high,
            severity: snapshot?.severity,
            status: data.status.flatMap(IncidentStatus.init(rawValue:)) ?? Self.status(after: kind, snapshot),
            assignee: data.assignees.map { $0.first?.summary } ?? snapshot?.assignee,
            escalationLevel: snapshot?.escalationLevel,
            createdAt: Self.date(data.createdAt) ?? snapshot?.createdAt ?? occurredAt,
            updatedAt: occurredAt,
            url: data.htmlURL ?? snapshot?.url
        )
    }

    private func referencedIncident(
        id: String, reference: WebhookEnvelope.Reference, kind: IncidentEventKind, occurredAt: Date,
        snapshot: Incident?
    ) -> Incident {
        guard var incident = snapshot else {
            return Incident(
                number: 0, id: id, title: reference.summary.map(Self.title(fromReferenceSummary:)) ?? id, service: Self.unknownService,
                urgency: .high, status: Self.status(after: kind, nil), createdAt: occurredAt,
                updatedAt: occurredAt, url: reference.htmlURL
            )
        }
        if let summary = reference.summary { incident.title = Self.title(fromReferenceSummary: summary) }
        if let url = reference.htmlURL { incident.url = url }
        incident.updatedAt = occurredAt
        return incident
    }

    /// An incident reference's `summary` is PagerDuty's "[#1234] title": the title without the
    /// number, which the announcement already names (`NOTE #1234 [#1234] title` otherwise).
    static func title(fromReferenceSummary summary: String) -> String {
        guard summary.hasPrefix("[#"), let close = summary.firstIndex(of: "]") else { return summary }
        let digits = summary[summary.index(summary.startIndex, offsetBy: 2)..<close]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return summary }
        return String(summary[summary.index(after: close)...].drop { $0 == " " })
    }

    /// The note for `annotated`, the new assignees for `reassigned` and `escalated`, the priority for
    /// `priority_updated`, the message for `status_update_published`.
    private func detail(of kind: IncidentEventKind, data: WebhookEnvelope.EventData) -> String? {
        switch kind {
        case .annotated:
            data.content
        case .reassigned, .escalated:
            data.assignees.flatMap { assignees in
                let names = assignees.compactMap(\.summary)
                return names.isEmpty ? nil : names.joined(separator: ", ")
            }
        case .priorityUpdated:
            data.priority?.summary
        case .statusUpdatePublished:
            data.message
        default:
            nil
        }
    }

    private static func status(after kind: IncidentEventKind, _ snapshot: Incident?) -> IncidentStatus {
        switch kind {
        case .triggered, .reopened, .unacknowledged: .triggered
        case .acknowledged, .snoozed: .acknowledged
        case .resolved: .resolved
        default: snapshot?.status ?? .triggered
        }
    }

    /// `occurred_at` / `created_at` through ``PagerDutyDate`` (with or without fractional seconds,
    /// `Z` or an offset).
    public static func date(_ text: String?) -> Date? {
        text.flatMap(PagerDutyDate.parse)
    }
}
