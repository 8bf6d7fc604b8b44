import AsyncHTTPClient

/// ``PagerDutyTransport`` over an AsyncHTTPClient: a given one, or the backend's own
/// ``PagerDutyHTTPClient``.
///
/// Bodies are small JSON documents; an answer over ``maxResponseBytes`` is treated as a broken
/// exchange rather than buffered without bound.
struct AsyncHTTPClientTransport: PagerDutyTransport {
    let client: @Sendable () -> HTTPClient?
    var maxResponseBytes = 4 * 1024 * 1024

    init(client: HTTPClient) {
        self.client = { client }
    }

    init(owned: PagerDutyHTTPClient) {
        client = { owned.client() }
    }

    func send(_ request: HTTPExchangeRequest, timeout: Duration) async throws(TransportFailure) -> HTTPExchangeResponse {
        guard let client = client() else { throw .connectFailed("the PagerDuty HTTP client is shut down (gateway stopping)") }
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = .init(rawValue: request.method)
        for field in request.headers {
            outgoing.headers.add(name: field.name, value: field.value)
        }
        if let body = request.body {
            outgoing.body = .bytes(body)
        }
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        do {
            let response = try await client.execute(outgoing, timeout: .nanoseconds(nanoseconds))
            let buffer = try await response.body.collect(upTo: maxResponseBytes)
            return HTTPExchangeResponse(
                status: Int(response.status.code),
                headers: response.headers.map { HTTPField($0.name, $0.value) },
                body: Array(buffer.readableBytesView))
        } catch {
            throw Self.classify(error)
        }
    }

    /// Sorts AsyncHTTPClient and SwiftNIO errors into what the retry policy needs to know.
    /// NIO's connection errors are matched by description so this target needs no NIO import.
    static func classify(_ error: any Error) -> TransportFailure {
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return .timedOut
            case .connectTimeout, .tlsHandshakeTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout:
                return .connectFailed(String(describing: client))
            case .remoteConnectionClosed:
                return .connectionLost("closed by PagerDuty")
            default:
                return .connectionLost(String(describing: client))
            }
        }
        let text = String(describing: error)
        let typeName = String(reflecting: type(of: error))
        let connectMarkers = ["refused", "NIOConnectionError", "connectTimeout", "unreachable", "resolution", "NIOSSL"]
        if connectMarkers.contains(where: { text.contains($0) || typeName.contains($0) }) {
            return .connectFailed(text)
        }
        return .connectionLost(text)
    }
}
