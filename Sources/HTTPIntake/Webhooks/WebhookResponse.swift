/// Body of every `POST /webhooks/pagerduty` answer. PagerDuty only reads the status code; the body is
/// for whoever debugs a delivery in PagerDuty's delivery log.
struct WebhookResponse: Encodable, Sendable {
    var status: String
    var message: String
}
