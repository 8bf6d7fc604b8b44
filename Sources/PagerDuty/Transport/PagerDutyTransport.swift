/// One HTTP exchange with the PagerDuty REST API, as plain values.
///
/// The REST client builds these and reads the answers; the transport only moves bytes. Keeping the
/// socket behind ``PagerDutyTransport`` lets tests drive retries, the circuit breaker and decoding
/// with a scripted fake and no network.
struct HTTPExchangeRequest: Sendable, Hashable {
    var method: String
    /// Absolute URL, query included.
    var url: String
    var headers: [HTTPField]
    var body: [UInt8]?

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

struct HTTPExchangeResponse: Sendable, Hashable {
    var status: Int
    var headers: [HTTPField]
    var body: [UInt8]

    init(status: Int, headers: [HTTPField] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Header lookup is case-insensitive (RFC 9110 §5.1); PagerDuty sends `ratelimit-*` in lower case.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

struct HTTPField: Sendable, Hashable {
    var name: String
    var value: String

    init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// Why an exchange produced no HTTP response. The distinction matters for retrying writes that are
/// not idempotent: a connection that was never made carried no request, a timeout or a dropped
/// connection may have carried one that PagerDuty applied.
enum TransportFailure: Error, Sendable, Hashable {
    /// No connection was established (refused, unreachable, DNS, TLS handshake): nothing was sent.
    case connectFailed(String)
    /// No complete answer within the request timeout.
    case timedOut
    /// The connection broke after the request may have been sent (reset, closed early).
    case connectionLost(String)

    var reason: String {
        switch self {
        case .connectFailed(let detail): "cannot connect (\(detail))"
        case .timedOut: "no answer within the request timeout"
        case .connectionLost(let detail): "connection lost (\(detail))"
        }
    }
}

/// Sends one request and returns the raw answer, whatever its status. Implementations never retry.
protocol PagerDutyTransport: Sendable {
    func send(_ request: HTTPExchangeRequest, timeout: Duration) async throws(TransportFailure) -> HTTPExchangeResponse
}
