/// Response bodies of `POST /v2/enqueue`, shaped as PagerDuty's Events API v2 answers so existing
/// clients (Alertmanager reads `message` and `errors` of a 400) understand them.
enum EventsAPIResponse {
    /// 202: `{"status": "success", "message": "Event processed", "dedup_key": "…"}`.
    struct Accepted: Encodable {
        var status = "success"
        var message = "Event processed"
        var dedupKey: String

        enum CodingKeys: String, CodingKey {
            case status, message
            case dedupKey = "dedup_key"
        }
    }

    /// 4xx/5xx: `{"status": "invalid event", "message": "Event object is invalid", "errors": […]}`.
    struct Failure: Encodable {
        var status: String
        var message: String
        var errors: [String]

        static func invalid(_ errors: [String]) -> Failure {
            Failure(status: "invalid event", message: "Event object is invalid", errors: errors)
        }
    }
}
