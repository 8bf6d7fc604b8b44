/// `GET /incidents/{id}/notes` → `{"notes": [{"id", "user": {…}, "content", "created_at"}]}`;
/// `POST` answers `{"note": {…}}`.
struct NoteResource: Decodable, Sendable, Hashable {
    var id: String?
    var user: ResourceReference?
    var content: String
    var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, user, content
        case createdAt = "created_at"
    }
}

struct NoteList: Decodable, Sendable {
    var notes: [NoteResource]
}

struct NoteEnvelope: Decodable, Sendable {
    var note: NoteResource
}

/// `GET /incidents/{id}/log_entries` → `{"log_entries": [{"type": "acknowledge_log_entry", "summary",
/// "created_at", "agent": {…}}], …}`.
struct LogEntryResource: Decodable, Sendable, Hashable {
    var type: String?
    var summary: String?
    var createdAt: String
    var agent: ResourceReference?

    enum CodingKeys: String, CodingKey {
        case type, summary, agent
        case createdAt = "created_at"
    }
}

struct LogEntryList: Decodable, Sendable {
    var logEntries: [LogEntryResource]

    enum CodingKeys: String, CodingKey {
        case logEntries = "log_entries"
    }
}

/// A user: a full object from `GET /users` and from `GET /oncalls?include[]=users`, a reference
/// (`id`, `summary`) otherwise, so `name` and `email` are optional.
struct UserResource: Decodable, Sendable, Hashable {
    var id: String
    var name: String?
    var email: String?
    var summary: String?

    var displayName: String { name ?? summary ?? id }
}

struct UserList: Decodable, Sendable {
    var users: [UserResource]
    var more: Bool?
}

/// `GET /oncalls` → `{"oncalls": [{"user", "schedule" (null for direct user targets),
/// "escalation_policy", "escalation_level", "start", "end"}], "limit", "offset", "more"}`.
struct OnCallResource: Decodable, Sendable, Hashable {
    var user: UserResource
    var schedule: ResourceReference?
    var escalationPolicy: ResourceReference?
    var escalationLevel: Int
    var start: String?
    var end: String?

    enum CodingKeys: String, CodingKey {
        case user, schedule, start, end
        case escalationPolicy = "escalation_policy"
        case escalationLevel = "escalation_level"
    }
}

struct OnCallList: Decodable, Sendable {
    var oncalls: [OnCallResource]
    var more: Bool?
}

/// `GET /abilities` → `{"abilities": ["sso", "teams", …]}`: read by the circuit breaker's probe only
/// to see that PagerDuty answers.
struct Abilities: Decodable, Sendable {
    var abilities: [String]?
}

/// `GET /escalation_policies/{id}` → `{"escalation_policy": {"id", "name", "escalation_rules":
/// [{"id", "escalation_delay_in_minutes", "targets": [{"id", "type": "user_reference" |
/// "schedule_reference"}]}], "num_loops", …}}`. Its rules are the policy's levels, in order.
struct EscalationPolicyResource: Decodable, Sendable, Hashable {
    var id: String
    var name: String?
    var summary: String?
    var escalationRules: [Rule]

    struct Rule: Decodable, Sendable, Hashable {
        var id: String?
        var targets: [ResourceReference]?
    }

    enum CodingKeys: String, CodingKey {
        case id, name, summary
        case escalationRules = "escalation_rules"
    }
}

struct EscalationPolicyEnvelope: Decodable, Sendable {
    var escalationPolicy: EscalationPolicyResource

    enum CodingKeys: String, CodingKey {
        case escalationPolicy = "escalation_policy"
    }
}
