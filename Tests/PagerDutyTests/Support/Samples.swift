/// Recorded-style PagerDuty answers, shaped as the REST API v2 reference and developer docs show
/// them (incident `PT4KHLK` "The server is on fire." on "My Mail Service" is the reference's own
/// example; error bodies follow "Errors" and "Rate Limits").
enum Samples {
    /// The documented incident object, trimmed to what PagerDuty always sends plus what Tocsin reads.
    static let documentedIncident = """
    {
      "id": "PT4KHLK",
      "type": "incident",
      "summary": "[#1234] The server is on fire.",
      "self": "https://api.pagerduty.com/incidents/PT4KHLK",
      "html_url": "https://subdomain.pagerduty.com/incidents/PT4KHLK",
      "incident_number": 1234,
      "title": "The server is on fire.",
      "created_at": "2015-10-06T21:30:42Z",
      "updated_at": "2015-10-06T21:40:23Z",
      "status": "resolved",
      "incident_key": "baf7cf21b1da41b4b0221008339ff357",
      "service": {
        "id": "PIJ90N7",
        "type": "service_reference",
        "summary": "My Mail Service",
        "self": "https://api.pagerduty.com/services/PIJ90N7",
        "html_url": "https://subdomain.pagerduty.com/service-directory/PIJ90N7"
      },
      "assignments": [
        {
          "at": "2015-11-10T00:31:52Z",
          "assignee": {
            "id": "PXPGF42",
            "type": "user_reference",
            "summary": "Earline Greenholt",
            "self": "https://api.pagerduty.com/users/PXPGF42",
            "html_url": "https://subdomain.pagerduty.com/users/PXPGF42"
          }
        }
      ],
      "assigned_via": "escalation_policy",
      "last_status_change_at": "2015-10-06T21:38:23Z",
      "first_trigger_log_entry": {
        "id": "Q02JTSNZWHSEKV",
        "type": "trigger_log_entry_reference",
        "summary": "Triggered through the API"
      },
      "escalation_policy": {
        "id": "PT20YPA",
        "type": "escalation_policy_reference",
        "summary": "Another Escalation Policy"
      },
      "teams": [
        {
          "id": "PQ9K7I8",
          "type": "team_reference",
          "summary": "Engineering"
        }
      ],
      "pending_actions": [],
      "acknowledgements": [],
      "alert_counts": {"all": 2, "triggered": 0, "resolved": 2},
      "is_mergeable": true,
      "urgency": "high",
      "priority": {
        "id": "P53ZZH5",
        "type": "priority_reference",
        "summary": "P2"
      },
      "resolve_reason": null,
      "conference_bridge": null
    }
    """

    /// A compact incident for scripted conversations.
    static func incident(
        id: String, number: Int, status: String = "triggered", title: String = "Disk full on db-1",
        serviceID: String = "PIJ90N7", serviceName: String = "My Mail Service", assignee: (id: String, name: String)? = ("PXPGF42", "Earline Greenholt"),
        escalationPolicy: String = "PESCAL1", createdAt: String = "2024-05-01T10:00:00Z",
        pendingActions: String = "[]"
    ) -> String {
        let assignments = assignee.map {
            #"[{"at": "\#(createdAt)", "assignee": {"id": "\#($0.id)", "type": "user_reference", "summary": "\#($0.name)"}}]"#
        } ?? "[]"
        return """
        {"id": "\(id)", "type": "incident", "summary": "[#\(number)] \(title)", "incident_number": \(number),
         "title": "\(title)", "created_at": "\(createdAt)", "updated_at": "\(createdAt)", "status": "\(status)",
         "urgency": "high", "html_url": "https://acme.pagerduty.com/incidents/\(id)",
         "service": {"id": "\(serviceID)", "type": "service_reference", "summary": "\(serviceName)"},
         "assignments": \(assignments),
         "escalation_policy": {"id": "\(escalationPolicy)", "type": "escalation_policy_reference", "summary": "Default"},
         "teams": [], "pending_actions": \(pendingActions), "priority": null}
        """
    }

    static func incidentEnvelope(_ incident: String) -> String { #"{"incident": \#(incident)}"# }

    static func incidentList(_ incidents: [String], limit: Int = 25, offset: Int = 0, more: Bool = false) -> String {
        #"{"incidents": [\#(incidents.joined(separator: ","))], "limit": \#(limit), "offset": \#(offset), "more": \#(more), "total": null}"#
    }

    // MARK: Errors (developer docs, REST API › "Errors", "Rate Limits")

    static let documentedError = """
    {"error": {"message": "Invalid Input Provided", "code": 2001,
               "errors": ["Status must be a list of triggered, acknowledged, or resolved."]}}
    """

    static let rateLimitError = #"{"error": {"message": "Rate Limit Exceeded", "code": 2020}}"#

    static let notFoundError = Array(#"{"error": {"message": "Not Found", "code": 2100}}"#.utf8)

    static let authenticationError = #"{"error": {"message": "Authentication failed", "code": 2006}}"#

    static let missingFromError = #"{"error": {"message": "You must specify a user's email address in the \"From\" header to perform this action", "code": 2016}}"#

    static let internalError = #"{"error": {"message": "An internal error has occurred. PagerDuty team has been notified.", "code": 2000}}"#

    // MARK: Other resources

    static let notes = """
    {"notes": [
      {"id": "PWL7QXS", "user": {"id": "PXPGF42", "type": "user_reference", "summary": "Earline Greenholt"},
       "content": "Firefighters are on the scene.", "created_at": "2016-09-29T10:45:00Z",
       "channel": {"summary": "The PagerDuty website or APIs"}},
      {"id": "PWL7QXT", "user": {"id": "PAM4FGS", "type": "user_reference", "summary": "Kyler Kuhn"},
       "content": "Rolled back the deploy.", "created_at": "2016-09-29T09:30:00Z"}
    ]}
    """

    static let noteCreated = """
    {"note": {"id": "PWL7QXS", "user": {"id": "PXPGF42", "type": "user_reference", "summary": "Alice"},
              "content": "rolled back", "created_at": "2024-05-01T10:05:00Z"}}
    """

    static let logEntries = """
    {"log_entries": [
      {"id": "R2", "type": "acknowledge_log_entry", "summary": "Acknowledged by Earline Greenholt",
       "created_at": "2024-05-01T10:02:00Z", "agent": {"id": "PXPGF42", "type": "user_reference", "summary": "Earline Greenholt"}},
      {"id": "R1", "type": "trigger_log_entry", "summary": "Triggered through the API",
       "created_at": "2024-05-01T10:00:00Z", "agent": {"id": "PIJ90N7", "type": "service_reference", "summary": "My Mail Service"}}
    ], "limit": 25, "offset": 0, "more": false, "total": null}
    """

    /// `GET /oncalls?include[]=users`: users come back as full objects (with email).
    static let oncalls = """
    {"oncalls": [
      {"user": {"id": "PXPGF42", "type": "user", "summary": "Earline Greenholt", "name": "Earline Greenholt",
                "email": "earline@example.org"},
       "schedule": {"id": "PSCHED1", "type": "schedule_reference", "summary": "Daily Engineering Rotation"},
       "escalation_policy": {"id": "PESCAL1", "type": "escalation_policy_reference", "summary": "Engineering Escalation Policy"},
       "escalation_level": 1, "start": "2015-03-06T15:28:51-05:00", "end": "2015-03-07T15:28:51-05:00"},
      {"user": {"id": "PAM4FGS", "type": "user", "summary": "Kyler Kuhn", "name": "Kyler Kuhn", "email": "kyler@example.org"},
       "schedule": null,
       "escalation_policy": {"id": "PESCAL1", "type": "escalation_policy_reference", "summary": "Engineering Escalation Policy"},
       "escalation_level": 2, "start": null, "end": null}
    ], "limit": 25, "offset": 0, "more": false, "total": null}
    """

    /// `GET /escalation_policies/{id}`: one escalation rule per level. `levels` lists each level's
    /// targets as (type, id), e.g. `[("schedule_reference", "PSCHED1"), ("user_reference", "PAM4FGS")]`.
    static func escalationPolicy(id: String = "PESCAL1", name: String = "Engineering Escalation Policy",
                                 levels: [[(type: String, id: String)]]) -> String {
        let rules = levels.enumerated().map { index, targets in
            let refs = targets.map { #"{"id": "\#($0.id)", "type": "\#($0.type)", "summary": "\#($0.id)"}"# }
            return #"{"id": "PRULE\#(index + 1)", "escalation_delay_in_minutes": 30, "targets": [\#(refs.joined(separator: ","))]}"#
        }
        return #"{"escalation_policy": {"id": "\#(id)", "type": "escalation_policy", "summary": "\#(name)", "name": "\#(name)", "#
            + #""escalation_rules": [\#(rules.joined(separator: ","))], "num_loops": 0, "services": [], "teams": []}}"#
    }

    /// Three levels: the primary schedule, then Kyler Kuhn, then a third user.
    static let threeLevelPolicy = escalationPolicy(levels: [
        [("schedule_reference", "PSCHED1")], [("user_reference", "PAM4FGS")], [("user_reference", "PTHIRD1")],
    ])

    static let users = """
    {"users": [
      {"id": "PAM4FGS", "type": "user", "name": "Kyler Kuhn", "email": "kyler@example.org", "summary": "Kyler Kuhn"},
      {"id": "PXPGF42", "type": "user", "name": "Earline Greenholt", "email": "earline@example.org", "summary": "Earline Greenholt"}
    ], "limit": 25, "offset": 0, "more": false, "total": null}
    """
}
