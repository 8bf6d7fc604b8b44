import Foundation
import Synchronization
import Testing
import TocsinCore
@testable import PagerDuty

/// How each chat command reads and changes PagerDuty incidents, against a small in-memory account.
@Suite struct CommandBehaviourTests {
    /// Incidents by number: id and status. Bulk PUTs change the statuses.
    final class Account: Sendable {
        let incidents: Mutex<[Int: (id: String, status: String)]>

        init(_ incidents: [Int: (id: String, status: String)]) {
            self.incidents = Mutex(incidents)
        }

        func transport() -> FakeTransport {
            FakeTransport { [self] request throws(TransportFailure) in
                self.answer(request)
            }
        }

        func answer(_ request: HTTPExchangeRequest) -> HTTPExchangeResponse {
            incidents.withLock { incidents in
                if request.method == "GET", request.path.hasPrefix("/incidents/") {
                    let key = String(request.path.dropFirst("/incidents/".count))
                    guard let found = incidents.first(where: { String($0.key) == key || $0.value.id == key }) else {
                        return HTTPExchangeResponse(status: 404, body: Samples.notFoundError)
                    }
                    return .json(200, Samples.incidentEnvelope(
                        Samples.incident(id: found.value.id, number: found.key, status: found.value.status)))
                }
                if request.method == "PUT", request.path == "/incidents",
                   let entries = request.jsonBody?["incidents"] as? [[String: String]] {
                    var updated: [String] = []
                    for entry in entries {
                        guard let id = entry["id"], let status = entry["status"],
                              let number = incidents.first(where: { $0.value.id == id })?.key else { continue }
                        incidents[number] = (id, status)
                        updated.append(Samples.incident(id: id, number: number, status: status))
                    }
                    return .json(200, Samples.incidentList(updated))
                }
                return HTTPExchangeResponse(status: 404, body: Samples.notFoundError)
            }
        }
    }

    @Test func acknowledgeAnswersEachNumber() async throws {
        let account = Account([
            1: ("P000001", "triggered"), 2: ("P000002", "acknowledged"), 3: ("P000003", "resolved"), 4: ("P000004", "triggered"),
        ])
        let transport = account.transport()
        let outcomes = try await Fixture.service(transport).acknowledge([1, 2, 3, 5, 4, 1], by: Fixture.alice)
        #expect(outcomes.map(\.number) == [1, 2, 3, 5, 4], "in the order asked, duplicates once")
        guard case .changed(let first) = outcomes[0], case .unchanged(let second) = outcomes[1],
              case .failed(3, .invalidTransition(3, .resolved, "acknowledge")) = outcomes[2],
              case .failed(5, .notFound(5)) = outcomes[3], case .changed(let fourth) = outcomes[4]
        else {
            Issue.record("unexpected outcomes \(outcomes)")
            return
        }
        #expect(first.status == .acknowledged && fourth.status == .acknowledged)
        #expect(second.number == 2)
        let puts = transport.requests.filter { $0.method == "PUT" }
        #expect(puts.count == 1, "one bulk update for all incidents that change")
        #expect(puts.first?.jsonBody == json("""
            {"incidents": [{"id": "P000001", "type": "incident_reference", "status": "acknowledged"},
                           {"id": "P000004", "type": "incident_reference", "status": "acknowledged"}]}
            """))
    }

    @Test func resolveTreatsResolvedAsUnchangedAndSkipsThePut() async throws {
        let account = Account([3: ("P000003", "resolved")])
        let transport = account.transport()
        let outcomes = try await Fixture.service(transport).resolve([3], by: Fixture.alice)
        guard case .unchanged(let incident) = outcomes.first else {
            Issue.record("expected unchanged, got \(outcomes)")
            return
        }
        #expect(incident.status == .resolved)
        #expect(!transport.requests.contains { $0.method == "PUT" })
    }

    @Test func aRefusedBulkUpdateFailsOnlyTheNumbersInIt() async throws {
        let transport = FakeTransport { request throws(TransportFailure) in
            switch (request.method, request.path) {
            case ("GET", "/incidents/1"): .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1)))
            case ("GET", "/incidents/2"): .json(200, Samples.incidentEnvelope(Samples.incident(id: "P2", number: 2, status: "resolved")))
            default: .json(400, #"{"error": {"message": "Incident Already Resolved", "code": 1001, "errors": ["Incident P1 is already resolved"]}}"#)
            }
        }
        let outcomes = try await Fixture.service(transport).resolve([1, 2], by: Fixture.alice)
        #expect(outcomes.count == 2)
        #expect(outcomes[0] == .failed(number: 1, .rejected(status: 400, message: "Incident Already Resolved: Incident P1 is already resolved")))
        if case .unchanged = outcomes[1] {} else { Issue.record("expected #2 unchanged") }
    }

    @Test func openIncidentsPagesPast100AndReportsMore() async throws {
        let transport = FakeTransport { request throws(TransportFailure) in
            let offset = Int(request.queryValues("offset").first ?? "0") ?? 0
            let limit = Int(request.queryValues("limit").first ?? "25") ?? 25
            let incidents = (offset..<(offset + limit)).map { Samples.incident(id: "P\($0)", number: 1000 - $0) }
            return .json(200, Samples.incidentList(incidents, limit: limit, offset: offset, more: true))
        }
        let page = try await Fixture.service(transport).openIncidents(limit: 130)
        #expect(page.incidents.count == 130)
        #expect(page.more)
        #expect(transport.requests.map { $0.queryValues("limit") + $0.queryValues("offset") } == [["100", "0"], ["30", "100"]])
    }

    @Test func openIncidentsStopsWhenPagerDutySaysNoMore() async throws {
        let transport = FakeTransport { _ throws(TransportFailure) in
            .json(200, Samples.incidentList([Samples.incident(id: "P1", number: 1)], more: false))
        }
        let page = try await Fixture.service(transport).openIncidents(limit: 10)
        #expect(page.incidents.count == 1 && !page.more)
        #expect(transport.requests.count == 1)
    }

    @Test func onCallByNameUsesTheConfiguredScopeAndEmails() async throws {
        let transport = FakeTransport { _ throws(TransportFailure) in .json(200, Samples.oncalls) }
        let entries = try await Fixture.service(transport).onCall(name: "PRIMARY")
        #expect(transport.requests.count == 1)
        #expect(transport.requests[0].queryValues("schedule_ids[]") == ["PSCHED1"])
        #expect(entries.first == OnCallEntry(
            scope: "primary", user: "Earline Greenholt", email: "earline@example.org", escalationLevel: 1,
            until: PagerDutyDate.parse("2015-03-07T15:28:51-05:00")))
    }

    @Test func onCallForAnUnknownNameAsksNothing() async throws {
        let transport = FakeTransport()
        await #expect(throws: IncidentServiceError.unknownOnCallScope("weekend")) {
            try await Fixture.service(transport).onCall(name: "weekend")
        }
        #expect(transport.requests.isEmpty)
    }

    @Test func reassignToAnUnknownUser() async throws {
        let transport = FakeTransport { request throws(TransportFailure) in
            request.path == "/users" ? .json(200, #"{"users": [], "more": false}"#)
                : .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1)))
        }
        await #expect(throws: IncidentServiceError.unknownUser("nobody")) {
            try await Fixture.service(transport).reassign(1, to: "nobody", by: Fixture.alice)
        }
        #expect(!transport.requests.contains { $0.method == "PUT" })
    }

    @Test func reassignRefusesToGuessBetweenSeveralUsers() async throws {
        let transport = FakeTransport { request throws(TransportFailure) in
            request.path == "/users" ? .json(200, Samples.users)
                : .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1)))
        }
        await #expect(throws: IncidentServiceError.self) {
            try await Fixture.service(transport).reassign(1, to: "example.org", by: Fixture.alice)
        }
        #expect(!transport.requests.contains { $0.method == "PUT" })
    }

    @Test func reassignByExactName() async throws {
        let transport = FakeTransport { request throws(TransportFailure) in
            request.path == "/users" ? .json(200, Samples.users)
                : .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1, assignee: ("PAM4FGS", "Kyler Kuhn"))))
        }
        let incident = try await Fixture.service(transport).reassign(1, to: "kyler kuhn", by: Fixture.alice)
        #expect(incident.assignee == "Kyler Kuhn")
    }

    @Test func escalateWithoutALevelGoesOneAboveTheAssignee() async throws {
        let transport = FakeTransport { request throws(TransportFailure) in
            switch (request.method, request.path) {
            case ("GET", "/oncalls"): .json(200, Samples.oncalls)
            case ("GET", "/escalation_policies/PESCAL1"): .json(200, Samples.threeLevelPolicy)
            default: .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1)))
            }
        }
        let incident = try await Fixture.service(transport).escalate(1, toLevel: nil, by: Fixture.alice)
        let oncalls = try #require(transport.requests.first { $0.path == "/oncalls" })
        #expect(oncalls.queryValues("escalation_policy_ids[]") == ["PESCAL1"])
        #expect(transport.requests.last?.jsonBody == json(#"{"incident": {"type": "incident_reference", "escalation_level": 2}}"#))
        #expect(incident.escalationLevel == 2)
    }

    @Test func escalateAtTheLastLevelSaysSo() async throws {
        let twoLevels = Samples.escalationPolicy(levels: [[("schedule_reference", "PSCHED1")], [("user_reference", "PAM4FGS")]])
        let transport = FakeTransport { request throws(TransportFailure) in
            switch request.path {
            case "/oncalls": .json(200, Samples.oncalls)
            case "/escalation_policies/PESCAL1": .json(200, twoLevels)
            default: .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1, assignee: ("PAM4FGS", "Kyler Kuhn"))))
            }
        }
        await #expect(throws: IncidentServiceError.invalidArgument(
            "#1 is already at the last level (2) of Engineering Escalation Policy")) {
            try await Fixture.service(transport).escalate(1, toLevel: nil, by: Fixture.alice)
        }
        #expect(!transport.requests.contains { $0.method == "PUT" })
    }

    /// Hole 6: the number of levels is the policy's, not the highest level someone is on call for.
    /// Nobody is on call at level 3 now (`GET /oncalls` lists levels 1 and 2), yet the policy has
    /// three levels: escalating from level 2 goes to 3.
    @Test func escalateLearnsTheLevelsFromThePolicyNotFromWhoIsOnCall() async throws {
        let transport = FakeTransport { request throws(TransportFailure) in
            switch (request.method, request.path) {
            case ("GET", "/oncalls"): .json(200, Samples.oncalls)
            case ("GET", "/escalation_policies/PESCAL1"): .json(200, Samples.threeLevelPolicy)
            case ("PUT", _): .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1, assignee: ("PTHIRD1", "Third"))))
            default: .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1, assignee: ("PAM4FGS", "Kyler Kuhn"))))
            }
        }
        let incident = try await Fixture.service(transport).escalate(1, toLevel: nil, by: Fixture.alice)
        #expect(incident.escalationLevel == 3)
        #expect(transport.requests.contains { $0.path == "/escalation_policies/PESCAL1" })
        #expect(transport.requests.last?.jsonBody == json(#"{"incident": {"type": "incident_reference", "escalation_level": 3}}"#))
    }

    @Test func escalateToALevelThePolicyDoesNotHaveIsRefusedBeforeAnyWrite() async throws {
        let transport = FakeTransport { request throws(TransportFailure) in
            request.path == "/escalation_policies/PESCAL1" ? .json(200, Samples.threeLevelPolicy)
                : .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1)))
        }
        await #expect(throws: IncidentServiceError.invalidArgument(
            "Engineering Escalation Policy has 3 escalation levels; #1 cannot go to level 4")) {
            try await Fixture.service(transport).escalate(1, toLevel: 4, by: Fixture.alice)
        }
        #expect(!transport.requests.contains { $0.method == "PUT" })
    }

    @Test func snoozeNeedsAnAcknowledgedIncident() async throws {
        let transport = FakeTransport { _ throws(TransportFailure) in
            .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1, status: "triggered")))
        }
        await #expect(throws: IncidentServiceError.invalidTransition(number: 1, from: .triggered, to: "snooze")) {
            try await Fixture.service(transport).snooze(1, for: 600, by: Fixture.alice)
        }
        #expect(transport.requests.count == 1)
    }

    @Test func snoozeReportsWhenTheIncidentWakesUp() async throws {
        let snoozed = Samples.incident(id: "P1", number: 1, status: "acknowledged",
                                       pendingActions: #"[{"type": "unacknowledge", "at": "2024-05-01T11:00:00Z"}]"#)
        let transport = FakeTransport { request throws(TransportFailure) in
            request.method == "POST" ? .json(201, Samples.incidentEnvelope(snoozed))
                : .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1, status: "acknowledged")))
        }
        let incident = try await Fixture.service(transport).snooze(1, for: 3600, by: Fixture.alice)
        #expect(incident.snoozedUntil == PagerDutyDate.parse("2024-05-01T11:00:00Z"))
    }

    @Test func resolvedIncidentsCannotBeReassignedOrEscalated() async throws {
        let transport = FakeTransport { _ throws(TransportFailure) in
            .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1, status: "resolved")))
        }
        let service = Fixture.service(transport)
        await #expect(throws: IncidentServiceError.invalidTransition(number: 1, from: .resolved, to: "reassign")) {
            try await service.reassign(1, to: "kyler@example.org", by: Fixture.alice)
        }
        await #expect(throws: IncidentServiceError.invalidTransition(number: 1, from: .resolved, to: "escalate")) {
            try await service.escalate(1, toLevel: 2, by: Fixture.alice)
        }
    }

    @Test func supportsEveryCommand() {
        #expect(Fixture.service(FakeTransport()).supportedCommands == Set(CommandName.allCases))
    }
}
