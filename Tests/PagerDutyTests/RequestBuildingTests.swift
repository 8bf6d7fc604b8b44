import Foundation
import Logging
import Testing
import TocsinCore
@testable import PagerDuty

/// What goes on the wire: PagerDuty's headers on every request, `From` on every write, and bodies
/// exactly as the REST API v2 reference shows them.
@Suite struct RequestBuildingTests {
    /// A PagerDuty that knows incident #42 (id `PABC123`, triggered) and echoes it back for writes.
    func conversation(status: String = "triggered") -> FakeTransport {
        let incident = Samples.incident(id: "PABC123", number: 42, status: status)
        return FakeTransport { request throws(TransportFailure) in
            switch (request.method, request.path) {
            case ("GET", "/incidents/42"), ("GET", "/incidents/PABC123"), ("PUT", "/incidents/PABC123"),
                 ("POST", "/incidents"), ("POST", "/incidents/PABC123/snooze"):
                return .json(request.method == "POST" ? 201 : 200, Samples.incidentEnvelope(incident))
            case ("PUT", "/incidents"):
                return .json(200, Samples.incidentList([Samples.incident(id: "PABC123", number: 42, status: "acknowledged")]))
            case ("POST", "/incidents/PABC123/notes"):
                return .json(201, Samples.noteCreated)
            case ("GET", "/incidents/PABC123/notes"):
                return .json(200, Samples.notes)
            case ("GET", "/incidents/PABC123/log_entries"):
                return .json(200, Samples.logEntries)
            case ("GET", "/users"):
                return .json(200, Samples.users)
            case ("GET", "/escalation_policies/PESCAL1"):
                return .json(200, Samples.threeLevelPolicy)
            case ("GET", "/oncalls"):
                return .json(200, Samples.oncalls)
            default:
                return HTTPExchangeResponse(status: 404, body: Samples.notFoundError)
            }
        }
    }

    @Test func everyRequestCarriesTokenAcceptAndContentType() async throws {
        let transport = conversation()
        let service = Fixture.service(transport)
        _ = try await service.details(of: 42)
        _ = try await service.acknowledge([42], by: Fixture.alice)
        #expect(transport.requests.count >= 3)
        for request in transport.requests {
            #expect(request.header("Authorization") == "Token token=y_NbAkKc66ryYTWUXYEu")
            #expect(request.header("Accept") == "application/vnd.pagerduty+json;version=2")
            #expect(request.header("Content-Type") == "application/json")
            #expect(request.url.hasPrefix("https://api.pagerduty.test/"), "base URL's trailing slash is not doubled")
            #expect(!request.url.hasPrefix("https://api.pagerduty.test//"))
        }
    }

    @Test func writesSendTheActorInFromAndReadsDoNot() async throws {
        let transport = conversation()
        let service = Fixture.service(transport)
        _ = try await service.acknowledge([42], by: Fixture.alice)
        let reads = transport.requests.filter { $0.method == "GET" }
        let writes = transport.requests.filter { $0.method != "GET" }
        #expect(!reads.isEmpty && !writes.isEmpty)
        #expect(reads.allSatisfy { $0.header("From") == nil })
        #expect(writes.allSatisfy { $0.header("From") == "alice@example.org" })
    }

    @Test func acknowledgeReadsByNumberThenBulkUpdatesById() async throws {
        let transport = conversation()
        _ = try await Fixture.service(transport).acknowledge([42], by: Fixture.alice)
        let requests = transport.requests
        #expect(requests.map { "\($0.method) \($0.path)" } == ["GET /incidents/42", "PUT /incidents"])
        #expect(requests[1].jsonBody == json(#"{"incidents": [{"id": "PABC123", "type": "incident_reference", "status": "acknowledged"}]}"#))
    }

    @Test func theNumberToIdCacheSendsLaterWritesStraightToTheId() async throws {
        let transport = conversation()
        let service = Fixture.service(transport)
        _ = try await service.details(of: 42)
        #expect(service.cachedIncidentID(42) == "PABC123")
        _ = try await service.resolve([42], by: Fixture.alice)
        #expect(transport.requests.filter { $0.method == "GET" && $0.path.hasPrefix("/incidents/") && !$0.path.contains("/notes")
            && !$0.path.contains("/log_entries") }.map(\.path) == ["/incidents/42"], "no second read: the id is known")
        #expect(transport.requests.last?.jsonBody == json(#"{"incidents": [{"id": "PABC123", "type": "incident_reference", "status": "resolved"}]}"#))
    }

    @Test func noteBody() async throws {
        let transport = conversation()
        let incident = try await Fixture.service(transport).addNote(to: 42, content: "  rolled back ", by: Fixture.alice)
        #expect(incident.number == 42)
        let post = try #require(transport.requests.last)
        #expect(post.method == "POST" && post.path == "/incidents/PABC123/notes")
        #expect(post.jsonBody == json(#"{"note": {"content": "rolled back"}}"#))
        #expect(post.header("From") == "alice@example.org")
    }

    @Test func triggerCreatesOnTheConfiguredServiceId() async throws {
        let transport = conversation()
        let service = PagerDutyService(
            configuration: Fixture.configuration, transport: transport, clock: VirtualClock(), jitter: { 0.5 },
            logger: Logger(label: "test.pagerduty"), newIncidentKey: { "5f0c2a" })
        let incident = try await service.trigger(service: "API", title: "Checkout failing", by: Fixture.alice)
        let post = try #require(transport.requests.last)
        #expect(post.method == "POST" && post.path == "/incidents")
        #expect(post.jsonBody == json("""
            {"incident": {"type": "incident", "title": "Checkout failing",
                          "service": {"id": "PIJ90N7", "type": "service_reference"}, "incident_key": "tocsin-5f0c2a"}}
            """))
        #expect(post.header("From") == "alice@example.org")
        #expect(incident.service == "api", "the service id maps back to its configured name")
    }

    @Test func triggerOnAnUnknownServiceSendsNothing() async throws {
        let transport = conversation()
        await #expect(throws: IncidentServiceError.unknownService("web")) {
            try await Fixture.service(transport).trigger(service: "web", title: "x", by: Fixture.alice)
        }
        #expect(transport.requests.isEmpty)
    }

    @Test func reassignLooksUpTheUserThenAssignsByReference() async throws {
        let transport = conversation()
        _ = try await Fixture.service(transport).reassign(42, to: "kyler@example.org", by: Fixture.alice)
        let users = try #require(transport.requests.first { $0.path == "/users" })
        #expect(users.queryValues("query") == ["kyler@example.org"])
        let put = try #require(transport.requests.last)
        #expect(put.method == "PUT" && put.path == "/incidents/PABC123")
        #expect(put.jsonBody == json("""
            {"incident": {"type": "incident_reference",
                          "assignments": [{"assignee": {"id": "PAM4FGS", "type": "user_reference"}}]}}
            """))
    }

    @Test func escalateToALevelSendsEscalationLevel() async throws {
        let transport = conversation()
        let incident = try await Fixture.service(transport).escalate(42, toLevel: 2, by: Fixture.alice)
        let put = try #require(transport.requests.last)
        #expect(put.jsonBody == json(#"{"incident": {"type": "incident_reference", "escalation_level": 2}}"#))
        #expect(incident.escalationLevel == 2)
    }

    @Test func snoozeBodyIsDurationInSeconds() async throws {
        let transport = conversation(status: "acknowledged")
        _ = try await Fixture.service(transport).snooze(42, for: 1800, by: Fixture.alice)
        let post = try #require(transport.requests.last)
        #expect(post.method == "POST" && post.path == "/incidents/PABC123/snooze")
        #expect(post.jsonBody == json(#"{"duration": 1800}"#))
        #expect(post.header("From") == "alice@example.org")
    }

    @Test func openIncidentsQuery() async throws {
        let transport = FakeTransport { _ throws(TransportFailure) in .json(200, Samples.incidentList([])) }
        _ = try await Fixture.service(transport).openIncidents(limit: 10)
        let request = try #require(transport.requests.first)
        #expect(request.path == "/incidents")
        #expect(request.queryValues("statuses[]") == ["triggered", "acknowledged"])
        #expect(request.queryValues("sort_by") == ["created_at:desc"])
        #expect(request.queryValues("limit") == ["10"])
        #expect(request.queryValues("offset") == ["0"])
        #expect(request.queryValues("date_range") == ["all"], "without it PagerDuty only looks one month back")
        #expect(request.url.contains("statuses%5B%5D=triggered"), "brackets are percent-encoded")
    }

    @Test func onCallQueriesSchedulesAndPoliciesSeparately() async throws {
        let transport = conversation()
        _ = try await Fixture.service(transport).onCall(name: nil)
        let requests = transport.requests.filter { $0.path == "/oncalls" }
        #expect(requests.count == 2)
        #expect(requests[0].queryValues("schedule_ids[]") == ["PSCHED1"])
        #expect(requests[0].queryValues("escalation_policy_ids[]").isEmpty)
        #expect(requests[1].queryValues("escalation_policy_ids[]") == ["PESCAL1"])
        for request in requests {
            #expect(request.queryValues("earliest") == ["true"])
            #expect(request.queryValues("include[]") == ["users"])
        }
    }

    @Test func percentEncodingKeepsUnreservedCharactersOnly() {
        #expect(APIRequest.percentEncode("a b/c?d&e=f[]~._-") == "a%20b%2Fc%3Fd%26e%3Df%5B%5D~._-")
        #expect(APIRequest.percentEncode("é") == "%C3%A9")
        #expect(APIRequest.path("incidents", "P/1") == "/incidents/P%2F1")
    }
}
