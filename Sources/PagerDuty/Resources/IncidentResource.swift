/// A reference to another object: `{"id", "type", "summary", "self", "html_url"}`
/// (developer docs, REST API › "References"). Only `id` is always present.
struct ResourceReference: Codable, Sendable, Hashable {
    var id: String
    var type: String?
    var summary: String?
    var htmlURL: String?

    init(id: String, type: String? = nil, summary: String? = nil, htmlURL: String? = nil) {
        self.id = id
        self.type = type
        self.summary = summary
        self.htmlURL = htmlURL
    }

    enum CodingKeys: String, CodingKey {
        case id, type, summary
        case htmlURL = "html_url"
    }
}

/// An incident as `GET /incidents/{id}` and friends return it; only what Tocsin shows is decoded,
/// and everything but `id`, `incident_number`, `status` and `created_at` is optional so a field
/// PagerDuty drops never costs a command.
struct IncidentResource: Decodable, Sendable, Hashable {
    var id: String
    var incidentNumber: Int
    var title: String?
    var summary: String?
    var status: String
    var urgency: String?
    var createdAt: String
    var updatedAt: String?
    var lastStatusChangeAt: String?
    var htmlURL: String?
    var incidentKey: String?
    var service: ResourceReference?
    var assignments: [Assignment]?
    var teams: [ResourceReference]?
    var escalationPolicy: ResourceReference?
    var pendingActions: [PendingAction]?

    struct Assignment: Decodable, Sendable, Hashable {
        var at: String?
        var assignee: ResourceReference
    }

    /// `unacknowledge` (snooze or acknowledgement timeout ending), `escalate`, `resolve`, `urgency_change`.
    struct PendingAction: Decodable, Sendable, Hashable {
        var type: String
        var at: String
    }

    enum CodingKeys: String, CodingKey {
        case id, title, summary, status, urgency, service, assignments, teams
        case incidentNumber = "incident_number"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case lastStatusChangeAt = "last_status_change_at"
        case htmlURL = "html_url"
        case incidentKey = "incident_key"
        case escalationPolicy = "escalation_policy"
        case pendingActions = "pending_actions"
    }
}

/// `{"incident": {…}}`: GET/PUT `/incidents/{id}`, POST `/incidents`, POST `/incidents/{id}/snooze`.
struct IncidentEnvelope: Decodable, Sendable {
    var incident: IncidentResource
}

/// `{"incidents": […], "limit", "offset", "more", "total"}`: GET and PUT `/incidents`
/// (developer docs, REST API › "Pagination" › classic pagination).
struct IncidentList: Decodable, Sendable {
    var incidents: [IncidentResource]
    var more: Bool?
}
