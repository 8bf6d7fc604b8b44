import Foundation
import TocsinCore

/// PagerDuty's error document (developer docs, REST API › "Errors"):
/// `{"error": {"message": "Invalid Input Provided", "code": 2001, "errors": ["…", "…"]}}`.
/// `errors` is absent on some answers (a 429 carries only message and code), and exceptional answers
/// may carry no JSON at all, so every field is optional.
struct APIErrorBody: Decodable, Sendable, Hashable {
    var error: Detail

    struct Detail: Decodable, Sendable, Hashable {
        var message: String?
        var code: Int?
        var errors: [String]?
    }

    static func decode(_ body: [UInt8]) -> Detail? {
        try? JSONDecoder().decode(APIErrorBody.self, from: Data(body)).error
    }
}

extension APIErrorBody.Detail {
    /// PagerDuty's own words for the chat: the message, then the details, e.g.
    /// "Invalid Input Provided: Status must be a list of triggered, acknowledged, or resolved."
    var text: String? {
        let details = (errors ?? []).filter { !$0.isEmpty }
        switch (message?.isEmpty == false ? message : nil, details.isEmpty) {
        case (let message?, true): return message
        case (let message?, false): return message + ": " + details.joined(separator: "; ")
        case (nil, false): return details.joined(separator: "; ")
        case (nil, true): return nil
        }
    }
}

/// Known PagerDuty error codes Tocsin reacts to (developer docs, REST API › "Errors" › "PagerDuty
/// Error Codes").
enum PagerDutyErrorCode {
    static let incidentAlreadyResolved = 1001
    static let incidentAlreadyAcknowledged = 1002
    static let incidentNotAcknowledged = 1012
    static let invalidInput = 2001
    static let notFound = 2100
    static let incidentNotFound = 5001
    static let rateLimitExceeded = 2020
}

extension IncidentServiceError {
    /// The error for a final 4xx answer (not 408 or 429, which are retried).
    static func fromAnswer(status: Int, body: [UInt8], request: APIRequest) -> IncidentServiceError {
        let detail = APIErrorBody.decode(body)
        if request.asksWhetherIncidentExists, let number = request.incidentNumber, status == 404,
           let code = detail?.code, code == PagerDutyErrorCode.notFound || code == PagerDutyErrorCode.incidentNotFound {
            return .notFound(number: number)
        }
        let text = detail?.text
        switch status {
        case 404:
            return .rejected(status: 404, message: "PagerDuty answered 404 to \(request.method.rawValue) \(request.path)"
                + (text.map { " (\($0))" } ?? ""))
        case 401:
            return .rejected(status: 401, message: "PagerDuty did not accept the API token (\(text ?? "Unauthorized"))")
        case 403:
            return .rejected(status: 403, message: text ?? "the API token or acting user may not do this")
        default:
            return .rejected(status: status, message: text ?? "HTTP \(status) from \(request.method.rawValue) \(request.path)")
        }
    }
}
