import AsyncHTTPClient
import Foundation
import Logging
import Testing
import TocsinCore
@testable import PagerDuty

/// The real transport over a real socket: headers as sent on the wire, statuses and bodies read back,
/// and socket failures sorted for the retry policy.
@Suite(.serialized) struct AsyncHTTPClientTransportTests {
    @Test func servicePublicInitializerTalksHTTPWithPagerDutysHeaders() async throws {
        let incident = Samples.incidentEnvelope(Samples.incident(id: "PABC123", number: 42))
        let server = try ScriptedHTTPServer([.respond(ScriptedHTTPServer.response(200, "OK", body: incident))])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var configuration = Fixture.configuration
        configuration.baseURL = "http://127.0.0.1:\(server.port)"
        configuration.maxRetries = 0
        configuration.requestTimeout = .seconds(1)
        let service = PagerDutyService(configuration: configuration, httpClient: client, logger: Logger(label: "test"))
        let result: Result<Incident, any Error>
        do {
            let outcomes = try await service.acknowledge([42], by: Fixture.alice)
            guard case .changed(let changed) = outcomes.first else { throw IncidentServiceError.unavailable("\(outcomes)") }
            result = .success(changed)
        } catch {
            result = .failure(error)
        }
        try await client.shutdown()
        // The one scripted answer serves the read; the bulk update then finds nothing listening.
        let raw = try #require(server.requests.first)
        #expect(raw.hasPrefix("GET /incidents/42 HTTP/1.1\r\n"))
        #expect(raw.contains("\r\nAuthorization: Token token=y_NbAkKc66ryYTWUXYEu\r\n"))
        #expect(raw.contains("\r\nAccept: application/vnd.pagerduty+json;version=2\r\n"))
        #expect(raw.contains("\r\nContent-Type: application/json\r\n"))
        #expect(!raw.contains("\r\nFrom:"))
        if case .success = result { Issue.record("the PUT had nowhere to go and should have failed") }
    }

    @Test func writeCarriesFromAndBodyOnTheWire() async throws {
        let created = Samples.incidentEnvelope(Samples.incident(id: "PNEW001", number: 7))
        let server = try ScriptedHTTPServer([.respond(ScriptedHTTPServer.response(201, "Created", body: created))])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var configuration = Fixture.configuration
        configuration.baseURL = "http://127.0.0.1:\(server.port)"
        let service = PagerDutyService(configuration: configuration, httpClient: client, logger: Logger(label: "test"))
        let incident = try await service.trigger(service: "db", title: "Replica lag", by: Fixture.alice)
        try await client.shutdown()
        #expect(incident.number == 7 && incident.id == "PNEW001")
        let raw = try #require(server.requests.first)
        #expect(raw.hasPrefix("POST /incidents HTTP/1.1\r\n"))
        #expect(raw.contains("\r\nFrom: alice@example.org\r\n"))
        #expect(raw.contains(#"{"incident":{"incident_key":"tocsin-"#), "a fresh incident_key, to find the incident after a lost answer")
        #expect(raw.hasSuffix(#","service":{"id":"PDBSVC1","type":"service_reference"},"title":"Replica lag","type":"incident"}}"#))
    }

    @Test func statusHeadersAndBodyComeBackAsSent() async throws {
        let server = try ScriptedHTTPServer([.respond(ScriptedHTTPServer.response(
            429, "Too Many Requests", body: Samples.rateLimitError, headers: ["ratelimit-reset: 20"]))])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let transport = AsyncHTTPClientTransport(client: client)
        let result: Result<HTTPExchangeResponse, TransportFailure>
        do {
            result = .success(try await transport.send(
                HTTPExchangeRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/incidents", headers: [], body: nil),
                timeout: .seconds(5)))
        } catch {
            result = .failure(error)
        }
        try await client.shutdown()
        let response = try result.get()
        #expect(response.status == 429)
        #expect(response.header("RateLimit-Reset") == "20")
        #expect(String(decoding: response.body, as: UTF8.self) == Samples.rateLimitError)
    }

    @Test func silenceIsATimeout() async throws {
        let server = try ScriptedHTTPServer([.silence(seconds: 2)])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let transport = AsyncHTTPClientTransport(client: client)
        let failure = await Self.failure(of: transport, url: "http://127.0.0.1:\(server.port)/incidents", timeout: .milliseconds(300))
        try await client.shutdown()
        #expect(failure == .timedOut)
    }

    @Test func nothingListeningIsAConnectFailure() async throws {
        let port = try ScriptedHTTPServer.closedPort()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let transport = AsyncHTTPClientTransport(client: client)
        // AsyncHTTPClient keeps trying to connect until the deadline, then reports the refusal.
        let failure = await Self.failure(of: transport, url: "http://127.0.0.1:\(port)/incidents", timeout: .seconds(1))
        try await client.shutdown()
        guard case .connectFailed = failure else {
            Issue.record("expected connectFailed, got \(String(describing: failure))")
            return
        }
    }

    static func failure(of transport: AsyncHTTPClientTransport, url: String, timeout: Duration) async -> TransportFailure? {
        do {
            _ = try await transport.send(HTTPExchangeRequest(method: "GET", url: url, headers: [], body: nil), timeout: timeout)
            return nil
        } catch {
            return error
        }
    }
}
