/// The body of a PagerDuty Webhooks v3 delivery: one event per payload (developer docs, "Webhooks" ›
/// "Overview" › "Webhook Payload"). Only what Tocsin announces is decoded; everything is optional so a
/// field PagerDuty drops or adds never costs a delivery.
struct WebhookEnvelope: Decodable, Sendable {
    var event: Event

    /// `event.id` and `event.event_type`, decoded first so that events Tocsin ignores (`pagey.ping`,
    /// `service.*`) never have their `data` read.
    struct Head: Decodable, Sendable {
        var event: EventHead
    }

    struct EventHead: Decodable, Sendable {
        var id: String
        var eventType: String

        enum CodingKeys: String, CodingKey {
            case id
            case eventType = "event_type"
        }
    }

    struct Event: Decodable, Sendable {
        var id: String
        var eventType: String
        var resourceType: String?
        var occurredAt: String?
        /// Who made the change; null for changes made by PagerDuty itself.
        var agent: Reference?
        var data: EventData?

        enum CodingKeys: String, CodingKey {
            case id, agent, data
            case eventType = "event_type"
            case resourceType = "resource_type"
            case occurredAt = "occurred_at"
        }
    }

    /// `{id, type, summary, html_url}` references to users, services, teams, priorities and incidents.
    struct Reference: Decodable, Sendable {
        var id: String?
        var type: String?
        var summary: String?
        var htmlURL: String?

        enum CodingKeys: String, CodingKey {
            case id, type, summary
            case htmlURL = "html_url"
        }
    }

    /// `event.data`, whose `type` depends on the event type: `incident` for most incident events,
    /// `incident_note` for `incident.annotated`, `incident_status_update` for
    /// `incident.status_update_published`. The last two carry an `incident` reference instead of the
    /// incident's fields.
    struct EventData: Decodable, Sendable {
        var type: String?
        var id: String?
        var htmlURL: String?
        var number: Int?
        var status: String?
        var title: String?
        var createdAt: String?
        var urgency: String?
        var service: Reference?
        var assignees: [Reference]?
        var teams: [Reference]?
        var priority: Reference?
        /// `incident_note` / `incident_status_update`: the incident they belong to.
        var incident: Reference?
        /// `incident_note`: the note text.
        var content: String?
        /// `incident_status_update`: the update text.
        var message: String?

        enum CodingKeys: String, CodingKey {
            case type, id, number, status, title, urgency, service, assignees, teams, priority, incident
            case content, message
            case htmlURL = "html_url"
            case createdAt = "created_at"
        }
    }
}
