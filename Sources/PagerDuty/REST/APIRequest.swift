import TocsinCore

/// One REST API v2 call before headers and retries are added.
struct APIRequest: Sendable, Hashable {
    enum Method: String, Sendable, Hashable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
    }

    var method: Method
    /// Path below the base URL, e.g. `/incidents/PT4KHLK/notes`. Ids are percent-encoded by the builders.
    var path: String
    /// Repeated names are kept (`statuses[]=triggered&statuses[]=acknowledged`).
    var query: [QueryItem]
    var body: [UInt8]?
    /// The acting user: sent as `From`, which PagerDuty requires on writes made with an account-level
    /// key (a missing or unknown one is answered 400).
    var from: Actor?
    /// Whether sending it twice is harmless. Requests that are not (creating an incident, adding a
    /// note, snoozing) are not repeated after a 5xx, a timeout or a dropped connection, which may
    /// have applied them, until Tocsin has checked that they were not applied.
    var isIdempotent: Bool
    /// The incident the request is about, when it is about one.
    var incidentNumber: Int?
    /// Set only on `GET /incidents/{number}`, the question "is there an incident #N?": its 404
    /// (with PagerDuty's "Not Found" error document) is the one that reads "incident #N does not
    /// exist". A 404 to any other call says which call failed — it may be a stale id, a wrong
    /// `base_url` or a proxy, not a missing incident.
    var asksWhetherIncidentExists = false

    init(
        _ method: Method, _ path: String, query: [QueryItem] = [], body: [UInt8]? = nil, from: Actor? = nil,
        isIdempotent: Bool? = nil, incidentNumber: Int? = nil, asksWhetherIncidentExists: Bool = false
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.from = from
        self.isIdempotent = isIdempotent ?? (method != .post)
        self.incidentNumber = incidentNumber
        self.asksWhetherIncidentExists = asksWhetherIncidentExists
    }

    struct QueryItem: Sendable, Hashable {
        var name: String
        var value: String

        init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `path?query`, names and values percent-encoded (brackets included, as go-pagerduty's
    /// `url.Values.Encode` sends them).
    var pathAndQuery: String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { Self.percentEncode($0.name) + "=" + Self.percentEncode($0.value) }
            .joined(separator: "&")
    }

    /// `/incidents/{segment}` style paths with the segment percent-encoded.
    static func path(_ segments: String...) -> String {
        "/" + segments.map(percentEncode).joined(separator: "/")
    }

    /// RFC 3986 §2.3 unreserved characters pass; everything else is `%XX` of its UTF-8 bytes.
    static func percentEncode(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                encoded += byte < 16 ? "%0" + hex : "%" + hex
            }
        }
        return encoded
    }
}
