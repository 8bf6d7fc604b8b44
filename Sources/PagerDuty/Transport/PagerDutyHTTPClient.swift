import AsyncHTTPClient
import Synchronization

/// The PagerDuty backend's own AsyncHTTPClient, with a connection pool sized for the commands that
/// may wait on PagerDuty at the same time.
///
/// `HTTPClient.shared` allows 8 HTTP/1.1 connections per host
/// (`HTTPClient.Configuration.ConnectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit`), so 20
/// people acknowledging at once against an API answering in 500 ms waited in 500 ms waves for a
/// free connection (docs/benchmarks.md, part 7). Here the limit follows the command scheduler's
/// bound: as many connections as commands may run at once, within ``connectionLimits``. The rest
/// of the configuration is the shared client's (`singletonConfiguration`). Over TLS, a server that
/// offers HTTP/2 is spoken to over one multiplexed connection instead.
///
/// The client is made at the first request, so a gateway that never asks PagerDuty holds no
/// client, and ``shutdown()`` (at gateway stop) closes it; requests after that fail as
/// connection failures rather than reaching a closed client.
public final class PagerDutyHTTPClient: Sendable {
    /// Never below the library's default, never so many that one gateway could flood the API
    /// (PagerDuty allows 960 requests a minute per key).
    public static let connectionLimits = 8...128

    /// Connections for `inFlightPerNetwork` commands on each of `networks` chat networks.
    public static func connections(inFlightPerNetwork: Int, networks: Int) -> Int {
        let wanted = max(1, inFlightPerNetwork) * max(1, networks)
        return min(max(wanted, connectionLimits.lowerBound), connectionLimits.upperBound)
    }

    private enum State {
        case idle
        case running(HTTPClient)
        case shutDown
    }

    /// HTTP/1.1 connections per host this client opens at most.
    public let connectionsPerHost: Int
    private let state = Mutex<State>(.idle)

    public init(connectionsPerHost: Int) {
        self.connectionsPerHost = max(1, connectionsPerHost)
    }

    var configuration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerHost
        return configuration
    }

    /// The client, made on first use; nil once shut down.
    func client() -> HTTPClient? {
        state.withLock { state in
            switch state {
            case .running(let client):
                return client
            case .idle:
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                state = .running(client)
                return client
            case .shutDown:
                return nil
            }
        }
    }

    /// Closes the connections (failing requests still waiting on them). Idempotent.
    public func shutdown() async {
        let client = state.withLock { state -> HTTPClient? in
            defer { state = .shutDown }
            if case .running(let client) = state { return client }
            return nil
        }
        try? await client?.shutdown()
    }
}
