import Foundation

/// The body of a PagerDuty Webhooks v3 delivery: one event per payload (developer docs, "Webhooks" ›
/// "Overview" › "Webhook Payload"). Only what Tocsin announces is decoded; everything is optional so a
/// field PagerDuty drops or adds never costs a delivery.
///
/// Lives with the REST resources so the PagerDuty wire formats, their date parser
/// (``PagerDutyDate``) and their mapping to the chat side's ``Incident`` are in one target; the HTTP
/// intake only verifies, stores and answers.
public struct WebhookEnvelope: Decodable, Sendable {
    public var event: Event

    /// Decodes a whole delivery body.
    public static func decode(_ body: [UInt8]) throws -> WebhookEnvelope {
        try JSONDecoder().decode(WebhookEnvelope.self, from: Data(body))
    }

    /// `event.id` and `event.event_type`, decoded first so that events Tocsin ignores (`pagey.ping`,
    /// `service.*`) never have their `data` read.
    public struct Head: Decodable, Sendable {
        public var event: EventHead

        /// Decodes only `event.id` and `event.event_type` of a delivery body.
        public static func decode(_ body: [UInt8]) throws -> Head {
            try JSONDecoder().decode(Head.self, from: Data(body))
        }
    }

    public struct EventHead: Decodable, Sendable {
        public var id: String
        public var eventType: String

        enum CodingKeys: String, CodingKey {
            case id
            case eventType = "event_type"
        }
    }

    public struct Event: Decodable, Sendable {
        public var id: String
        public var eventType: String
        public var resourceType: String?
        public var occurredAt: String?
        /// Who made the change; null for changes made by PagerDuty itself.
        public var agent: Reference?
        public var data: EventData?

        enum CodingKeys: String, CodingKey {
            case id, agent, data
            case eventType = "event_type"
            case resourceType = "resource_type"
            case occurredAt = "occurred_at"
        }
    }

    /// `{id, type, summary, html_url}` references to users, services, teams, priorities and incidents.
    public struct Reference: Decodable, Sendable {
        public var id: String?
        public var type: String?
        public var summary: String?
        public var htmlURL: String?

        enum CodingKeys: String, CodingKey {
            case id, type, summary
            case htmlURL = "html_url"
        }
    }

    /// `event.data`, whose `type` depends on the event type: `incident` for most incident events,
    /// `incident_note` for `incident.annotated`, `incident_status_update` for
    /// `incident.status_update_published`. The last two carry an `incident` reference instead of the
    /// incident's fields.
    public struct EventData: Decodable, Sendable {
        public var type: String?
        public var id: String?
        public var htmlURL: String?
        public var number: Int?
        public var status: String?
        public var title: String?
        public var createdAt: String?
        public var urgency: String?
        public var service: Reference?
        public var assignees: [Reference]?
        public var teams: [Reference]?
        public var priority: Reference?
        /// `incident_note` / `incident_status_update`: the incident they belong to.
        public var incident: Reference?
        /// `incident_note`: the note text.
        public var content: String?
        /// `incident_status_update`: the update text.
        public var message: String?

        enum CodingKeys: String, CodingKey {
            case type, id, number, status, title, urgency, service, assignees, teams, priority, incident
            case content, message
            case htmlURL = "html_url"
            case createdAt = "created_at"
        }
    }
}
