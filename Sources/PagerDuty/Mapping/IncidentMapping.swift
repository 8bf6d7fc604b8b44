import Foundation
import TocsinCore

/// Turns PagerDuty's resources into the chat side's types.
///
/// Services are shown by the name the configuration gives them when their id is configured, so
/// announcements, `!incidents` and `!trigger api` all use the same word; otherwise by PagerDuty's
/// summary. Team and assignee are the first of each. PagerDuty incidents carry no severity (alerts
/// do) and no current escalation level, so those stay nil; priority is not shown.
struct IncidentMapping: Sendable {
    /// Service id → configured name.
    var serviceNames: [String: String]

    init(configuration: PagerDutyConfiguration) {
        serviceNames = Dictionary(configuration.services.map { ($0.value, $0.key) }, uniquingKeysWith: { first, second in min(first, second) })
    }

    func incident(_ resource: IncidentResource) throws(IncidentServiceError) -> Incident {
        guard let status = IncidentStatus(rawValue: resource.status) else {
            throw .unavailable("incident #\(resource.incidentNumber) has unknown status \"\(resource.status)\"")
        }
        guard let created = PagerDutyDate.parse(resource.createdAt) else {
            throw .unavailable("incident #\(resource.incidentNumber) has an unreadable created_at")
        }
        let updated = [resource.updatedAt, resource.lastStatusChangeAt].compactMap { $0.flatMap(PagerDutyDate.parse) }.first
        let service = resource.service.map { serviceNames[$0.id] ?? $0.summary ?? $0.id } ?? "unknown service"
        return Incident(
            number: resource.incidentNumber,
            id: resource.id,
            title: resource.title ?? resource.summary ?? "(untitled)",
            service: service,
            team: resource.teams?.first?.summary,
            urgency: resource.urgency.flatMap(Urgency.init(rawValue:)) ?? .high,
            severity: nil,
            status: status,
            assignee: resource.assignments?.first?.assignee.summary,
            escalationLevel: nil,
            createdAt: created,
            updatedAt: updated ?? created,
            snoozedUntil: nil,
            url: resource.htmlURL)
    }

    func note(_ resource: NoteResource) -> IncidentNote? {
        guard let created = PagerDutyDate.parse(resource.createdAt) else { return nil }
        return IncidentNote(author: resource.user?.summary ?? "PagerDuty", content: resource.content, createdAt: created)
    }

    func timelineEntry(_ resource: LogEntryResource) -> TimelineEntry? {
        guard let created = PagerDutyDate.parse(resource.createdAt) else { return nil }
        return TimelineEntry(at: created, actor: resource.agent?.summary,
                             summary: resource.summary ?? resource.type ?? "log entry")
    }
}

/// PagerDuty's ISO 8601 timestamps: `2015-10-06T21:30:42Z`, with fractional seconds
/// (`2020-10-02T18:45:22.169Z`) or an offset (`2020-07-08T04:17:06+05:00`).
enum PagerDutyDate {
    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return nil
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
