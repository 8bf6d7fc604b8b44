/// Webhooks v3 payloads as PagerDuty documents and sends them, for the webhook tests.
enum WebhookSamples {
    /// Recorded from PagerDuty's developer docs ("Webhooks" › "Overview" › "Webhook Payload"): an
    /// `incident.priority_updated` delivery, byte for byte.
    static let priorityUpdated = """
{
  "event": {
    "id": "5ac64822-4adc-4fda-ade0-410becf0de4f",
    "event_type": "incident.priority_updated",
    "resource_type": "incident",
    "occurred_at": "2020-10-02T18:45:22.169Z",
    "agent": {
      "html_url": "https://acme.pagerduty.com/users/PLH1HKV",
      "id": "PLH1HKV",
      "self": "https://api.pagerduty.com/users/PLH1HKV",
      "summary": "Tenex Engineer",
      "type": "user_reference"
    },
    "client": {
      "name": "PagerDuty"
    },
    "data": {
      "id": "PGR0VU2",
      "type": "incident",
      "self": "https://api.pagerduty.com/incidents/PGR0VU2",
      "html_url": "https://acme.pagerduty.com/incidents/PGR0VU2",
      "number": 2,
      "status": "triggered",
      "incident_key": "d3640fbd41094207a1c11e58e46b1662",
      "created_at": "2020-04-09T15:16:27Z",
      "title": "A little bump in the road",
      "service": {
        "html_url": "https://acme.pagerduty.com/services/PF9KMXH",
        "id": "PF9KMXH",
        "self": "https://api.pagerduty.com/services/PF9KMXH",
        "summary": "API Service",
        "type": "service_reference"
      },
      "assignees": [
        {
          "html_url": "https://acme.pagerduty.com/users/PTUXL6G",
          "id": "PTUXL6G",
          "self": "https://api.pagerduty.com/users/PTUXL6G",
          "summary": "User 123",
          "type": "user_reference"
        }
      ],
      "escalation_policy": {
        "html_url": "https://acme.pagerduty.com/escalation_policies/PUS0KTE",
        "id": "PUS0KTE",
        "self": "https://api.pagerduty.com/escalation_policies/PUS0KTE",
        "summary": "Default",
        "type": "escalation_policy_reference"
      },
      "teams": [
        {
          "html_url": "https://acme.pagerduty.com/teams/PFCVPS0",
          "id": "PFCVPS0",
          "self": "https://api.pagerduty.com/teams/PFCVPS0",
          "summary": "Engineering",
          "type": "team_reference"
        }
      ],
      "priority": {
        "html_url": "https://acme.pagerduty.com/account/incident_priorities",
        "id": "PSO75BM",
        "self": "https://api.pagerduty.com/priorities/PSO75BM",
        "summary": "P1",
        "type": "priority_reference"
      },
      "urgency": "high",
      "conference_bridge": {
        "conference_number": "+1 1234123412,,987654321#",
        "conference_url": "https://example.com"
      },
      "resolve_reason": null
    }
  }
}
"""

    /// The secret `priorityUpdatedSignature` was computed with, outside Swift
    /// (`hmac.new(secret, body, sha256).hexdigest()` in Python), so the check does not only agree with itself.
    static let priorityUpdatedSecret = "pd-webhook-secret-one"
    static let priorityUpdatedSignature = "v1=69960d484cd87a1ed82bfa9aef7ca107e9d70326fcff87f453304b40058176e1"

    /// An `incident.annotated` delivery: `data` is an `incident_note` holding only a reference to its
    /// incident (developer docs, "Event Data Types" › "incident_note").
    static func annotated(eventID: String = "01BRB6ZP4M6T8ZG4X6BP63ZB9O", content: String = "I sure am glad we are using PagerDuty!") -> String {
        """
        {"event": {"id": "\(eventID)", "event_type": "incident.annotated", "resource_type": "incident",
        "occurred_at": "2021-03-02T13:35:11.682Z", "agent": {"id": "PLH1HKV", "summary": "Tenex Engineer", "type": "user_reference"},
        "client": null, "data": {"incident": {"html_url": "https://acme.pagerduty.com/incidents/PGR0VU2", "id": "PGR0VU2",
        "self": "https://api.pagerduty.com/incidents/PGR0VU2", "summary": "A little bump in the road", "type": "incident_reference"},
        "id": "P2LA89X", "content": "\(content)", "trimmed": false, "type": "incident_note"}}}
        """
    }

    /// A full incident event of the given type, shaped as the docs' `incident` data type.
    static func incident(
        eventType: String, eventID: String, number: Int = 2, status: String = "triggered",
        serviceID: String = "PF9KMXH", assignees: [String] = ["User 123"], agent: String? = "Tenex Engineer",
        occurredAt: String = "2020-10-02T18:45:22.169Z"
    ) -> String {
        let agentJSON = agent.map { #"{"id": "PLH1HKV", "summary": "\#($0)", "type": "user_reference"}"# } ?? "null"
        let assigneesJSON = assignees.map { #"{"id": "PTUXL6G", "summary": "\#($0)", "type": "user_reference"}"# }
            .joined(separator: ", ")
        return """
        {"event": {"id": "\(eventID)", "event_type": "\(eventType)", "resource_type": "incident",
        "occurred_at": "\(occurredAt)", "agent": \(agentJSON), "client": null,
        "data": {"id": "PGR0VU2", "type": "incident", "self": "https://api.pagerduty.com/incidents/PGR0VU2",
        "html_url": "https://acme.pagerduty.com/incidents/PGR0VU2", "number": \(number), "status": "\(status)",
        "incident_key": "d3640fbd41094207a1c11e58e46b1662", "created_at": "2020-04-09T15:16:27Z",
        "title": "A little bump in the road",
        "service": {"id": "\(serviceID)", "summary": "API Service", "type": "service_reference"},
        "assignees": [\(assigneesJSON)],
        "escalation_policy": {"id": "PUS0KTE", "summary": "Default", "type": "escalation_policy_reference"},
        "teams": [{"id": "PFCVPS0", "summary": "Engineering", "type": "team_reference"}],
        "priority": null, "urgency": "low", "conference_bridge": null, "resolve_reason": null}}}
        """
    }

    /// PagerDuty's test delivery, sent when a subscription is created or tested.
    static let ping = """
        {"event": {"id": "01BRB6ZP4M6T8ZG4X6BP63ZB9P", "event_type": "pagey.ping", "resource_type": "pagey",
        "occurred_at": "2021-03-02T13:35:11.682Z", "agent": null, "client": null,
        "data": {"message": "Hello from your friend Pagey!", "type": "ping"}}}
        """

    /// A `service.updated` delivery (docs example).
    static let serviceUpdated = """
        {"event": {"id": "01BRB6ZP4M6T8ZG4X6BP63ZB9Q", "event_type": "service.updated", "resource_type": "service",
        "occurred_at": "2021-03-02T13:35:11.682Z", "agent": null, "client": null,
        "data": {"html_url": "https://acme.pagerduty.com/services/PF9KMXH", "id": "PF9KMXH",
        "summary": "testing service updates", "alert_creation": "create_alerts_and_incidents", "type": "service"}}}
        """
}
