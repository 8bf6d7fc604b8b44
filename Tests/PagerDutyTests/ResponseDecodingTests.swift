import Foundation
import Testing
import TocsinCore
@testable import PagerDuty

/// Answers as PagerDuty documents them, decoded into what chat shows.
@Suite struct ResponseDecodingTests {
    let mapping = IncidentMapping(configuration: Fixture.configuration)

    @Test func documentedIncidentMapsToIncident() throws {
        let resource = try JSONDecoder().decode(IncidentResource.self, from: Data(Samples.documentedIncident.utf8))
        let incident = try mapping.incident(resource)
        #expect(incident.number == 1234)
        #expect(incident.id == "PT4KHLK")
        #expect(incident.title == "The server is on fire.")
        #expect(incident.service == "api", "PIJ90N7 is configured as api")
        #expect(incident.team == "Engineering")
        #expect(incident.assignee == "Earline Greenholt")
        #expect(incident.status == .resolved)
        #expect(incident.urgency == .high)
        #expect(incident.severity == nil)
        #expect(incident.url == "https://subdomain.pagerduty.com/incidents/PT4KHLK")
        #expect(incident.createdAt == Date(timeIntervalSince1970: 1_444_167_042))
        #expect(incident.updatedAt == Date(timeIntervalSince1970: 1_444_167_623))
    }

    @Test func unconfiguredServiceKeepsPagerDutysName() throws {
        let text = Samples.incident(id: "P1", number: 1, serviceID: "POTHER1", serviceName: "Billing")
        let incident = try mapping.incident(try JSONDecoder().decode(IncidentResource.self, from: Data(text.utf8)))
        #expect(incident.service == "Billing")
    }

    @Test func timestampsWithFractionsAndOffsetsParse() {
        #expect(PagerDutyDate.parse("2020-10-02T18:45:22.169Z") != nil)
        #expect(PagerDutyDate.parse("2015-03-06T15:28:51-05:00") == Date(timeIntervalSince1970: 1_425_673_731))
        #expect(PagerDutyDate.parse("yesterday") == nil)
    }

    @Test func unknownStatusIsReportedNotGuessed() throws {
        let text = Samples.incident(id: "P1", number: 7, status: "merged")
        let resource = try JSONDecoder().decode(IncidentResource.self, from: Data(text.utf8))
        #expect(throws: IncidentServiceError.self) { try mapping.incident(resource) }
    }

    @Test func documentedErrorBodyDecodes() throws {
        let detail = try #require(APIErrorBody.decode(Array(Samples.documentedError.utf8)))
        #expect(detail.code == 2001)
        #expect(detail.text == "Invalid Input Provided: Status must be a list of triggered, acknowledged, or resolved.")
    }

    @Test func errorWithoutDetailsUsesTheMessage() throws {
        let detail = try #require(APIErrorBody.decode(Array(Samples.rateLimitError.utf8)))
        #expect(detail.text == "Rate Limit Exceeded")
        #expect(detail.code == PagerDutyErrorCode.rateLimitExceeded)
    }

    @Test func nonJSONErrorBodyIsTolerated() {
        #expect(APIErrorBody.decode(Array("<html>502</html>".utf8)) == nil)
    }

    @Test func badRequestBecomesRejectedWithPagerDutysWords() async throws {
        let transport = FakeTransport { _ throws(TransportFailure) in .json(400, Samples.missingFromError) }
        await #expect(throws: IncidentServiceError.rejected(
            status: 400, message: "You must specify a user's email address in the \"From\" header to perform this action")
        ) {
            try await Fixture.service(transport).trigger(service: "api", title: "x", by: Fixture.alice)
        }
    }

    @Test func notFoundOnAnIncidentReadsAsNotFound() async throws {
        let transport = FakeTransport()
        let outcomes = try await Fixture.service(transport).acknowledge([99], by: Fixture.alice)
        #expect(outcomes == [.failed(number: 99, .notFound(number: 99))])
        await #expect(throws: IncidentServiceError.notFound(number: 99)) {
            try await Fixture.service(transport).details(of: 99)
        }
    }

    @Test func unauthorizedNamesTheToken() async throws {
        let transport = FakeTransport { _ throws(TransportFailure) in .json(401, Samples.authenticationError) }
        let service = Fixture.service(transport)
        await #expect(throws: IncidentServiceError.rejected(
            status: 401, message: "PagerDuty did not accept the API token (Authentication failed)")
        ) {
            try await service.openIncidents(limit: 5)
        }
        let health = await service.health()
        #expect(health.first?.status == .down)
    }

    @Test func forbiddenKeepsPagerDutysMessage() async throws {
        let transport = FakeTransport { _ throws(TransportFailure) in
            .json(403, #"{"error": {"message": "Access Denied", "code": 2010}}"#)
        }
        await #expect(throws: IncidentServiceError.rejected(status: 403, message: "Access Denied")) {
            try await Fixture.service(transport).onCall(name: "primary")
        }
    }

    @Test func notesAndTimelineAreSortedOldestFirst() async throws {
        let transport = FakeTransport { request throws(TransportFailure) in
            switch request.path {
            case "/incidents/7": .json(200, Samples.incidentEnvelope(Samples.incident(id: "P7", number: 7)))
            case "/incidents/P7/notes": .json(200, Samples.notes)
            case "/incidents/P7/log_entries": .json(200, Samples.logEntries)
            default: HTTPExchangeResponse(status: 404, body: Samples.notFoundError)
            }
        }
        let details = try await Fixture.service(transport).details(of: 7)
        #expect(details.notes.map(\.content) == ["Rolled back the deploy.", "Firefighters are on the scene."])
        #expect(details.notes.first?.author == "Kyler Kuhn")
        #expect(details.timeline.map(\.summary) == ["Triggered through the API", "Acknowledged by Earline Greenholt"])
        #expect(details.timeline.last?.actor == "Earline Greenholt")
    }

    @Test func timelineFailureDoesNotFailDetails() async throws {
        let transport = FakeTransport { request throws(TransportFailure) in
            switch request.path {
            case "/incidents/7": .json(200, Samples.incidentEnvelope(Samples.incident(id: "P7", number: 7)))
            case "/incidents/P7/notes": .json(200, #"{"notes": []}"#)
            default: .json(403, #"{"error": {"message": "Access Denied", "code": 2010}}"#)
            }
        }
        let details = try await Fixture.service(transport).details(of: 7)
        #expect(details.timeline.isEmpty && details.notes.isEmpty)
    }

    @Test func garbledSuccessBodyIsUnavailableNotACrash() async throws {
        let transport = FakeTransport { _ throws(TransportFailure) in .json(200, #"{"incidents": "nope"}"#) }
        await #expect(throws: IncidentServiceError.self) {
            try await Fixture.service(transport).openIncidents(limit: 5)
        }
    }
}
