import Foundation
import Synchronization
import Testing
import TocsinCore
@testable import PagerDuty

/// `!ack`/`!resolve` of an incident whose id Tocsin already knows (from a webhook, an announcement,
/// the open incidents listed at start, an earlier answer) is one `PUT /incidents`, its outcome read
/// from the answer — PagerDuty's error codes 1001 "Incident Already Resolved" and 1002 "Incident
/// Already Acknowledged" included (shared/reference/pagerduty.md). Only an unknown number, or an
/// answer that does not say enough, costs a `GET`.
@Suite struct KnownIncidentWriteTests {
    /// An account that answers status writes as PagerDuty does: a refused entry refuses the whole
    /// bulk with its code, nothing applied. `failNextWrite` applies the next write and answers 500.
    final class Account: Sendable {
        struct State {
            var incidents: [Int: (id: String, status: String, assignee: String)]
            var applyThenFail = false
        }

        let state: Mutex<State>

        init(_ incidents: [Int: (id: String, status: String)]) {
            state = Mutex(State(incidents: incidents.mapValues { ($0.id, $0.status, "Earline Greenholt") }))
        }

        func set(_ number: Int, status: String, by assignee: String) {
            state.withLock { $0.incidents[number]?.status = status; $0.incidents[number]?.assignee = assignee }
        }

        func failNextWrite() { state.withLock { $0.applyThenFail = true } }

        func status(_ number: Int) -> String? { state.withLock { $0.incidents[number]?.status } }

        func transport() -> FakeTransport {
            FakeTransport { [self] request throws(TransportFailure) in self.answer(request) }
        }

        private func json(_ number: Int, _ incident: (id: String, status: String, assignee: String)) -> String {
            Samples.incident(id: incident.id, number: number, status: incident.status, assignee: ("PU\(number)", incident.assignee))
        }

        func answer(_ request: HTTPExchangeRequest) -> HTTPExchangeResponse {
            state.withLock { state in
                if request.method == "GET", request.path == "/incidents" {
                    let open = state.incidents.filter { $0.value.status != "resolved" }.sorted { $0.key > $1.key }
                    return .json(200, Samples.incidentList(open.map { json($0.key, $0.value) }))
                }
                if request.method == "GET", request.path.hasPrefix("/incidents/") {
                    let key = String(request.path.dropFirst("/incidents/".count))
                    guard let found = state.incidents.first(where: { String($0.key) == key || $0.value.id == key }) else {
                        return HTTPExchangeResponse(status: 404, body: Samples.notFoundError)
                    }
                    return .json(200, Samples.incidentEnvelope(json(found.key, found.value)))
                }
                guard request.method == "PUT", request.path == "/incidents",
                      let entries = request.jsonBody?["incidents"] as? [[String: String]] else {
                    return HTTPExchangeResponse(status: 404, body: Samples.notFoundError)
                }
                var plan: [(Int, String)] = []
                for entry in entries {
                    guard let id = entry["id"], let status = entry["status"],
                          let (number, incident) = state.incidents.first(where: { $0.value.id == id }).map({ ($0.key, $0.value) }) else {
                        return .json(400, #"{"error": {"message": "Invalid Input Provided", "code": 2001, "errors": ["Incident not found"]}}"#)
                    }
                    if incident.status == "resolved" {
                        return .json(400, #"{"error": {"message": "Incident Already Resolved", "code": 1001, "errors": ["Incident \#(id) is already resolved"]}}"#)
                    }
                    if status == "acknowledged", incident.status == "acknowledged" {
                        return .json(400, #"{"error": {"message": "Incident Already Acknowledged", "code": 1002, "errors": ["Incident \#(id) is already acknowledged"]}}"#)
                    }
                    plan.append((number, status))
                }
                var updated: [String] = []
                for (number, status) in plan {
                    state.incidents[number]?.status = status
                    state.incidents[number]?.assignee = "Alice"
                    updated.append(json(number, state.incidents[number]!))
                }
                if state.applyThenFail {
                    state.applyThenFail = false
                    return .json(500, Samples.internalError)
                }
                return .json(200, Samples.incidentList(updated))
            }
        }
    }

    static func incident(_ number: Int, id: String, status: IncidentStatus) -> Incident {
        Incident(number: number, id: id, title: "Disk full on db-1", service: "api", urgency: .high, status: status,
                 createdAt: Date(timeIntervalSince1970: 1_700_000_000), updatedAt: Date(timeIntervalSince1970: 1_700_000_000))
    }

    func sent(_ transport: FakeTransport) -> [String] {
        transport.requests.map { "\($0.method) \($0.path)" }
    }

    @Test func acknowledgingAKnownIncidentIsOnePut() async throws {
        let account = Account([7: ("P7", "triggered")])
        let transport = account.transport()
        let service = Fixture.service(transport)
        service.learn(Self.incident(7, id: "P7", status: .triggered))
        let outcomes = try await service.acknowledge([7], by: Fixture.alice)
        #expect(sent(transport) == ["PUT /incidents"])
        guard case .changed(let incident) = outcomes.first else {
            Issue.record("expected changed, got \(outcomes)")
            return
        }
        #expect(incident.status == .acknowledged && incident.number == 7)
        #expect(account.status(7) == "acknowledged")
        #expect(transport.requests.first?.jsonBody == json("""
            {"incidents": [{"id": "P7", "type": "incident_reference", "status": "acknowledged"}]}
            """))
    }

    @Test func anUnknownNumberIsReadThenWritten() async throws {
        let account = Account([7: ("P7", "triggered")])
        let transport = account.transport()
        let service = Fixture.service(transport)
        let outcomes = try await service.acknowledge([7], by: Fixture.alice)
        #expect(sent(transport) == ["GET /incidents/7", "PUT /incidents"])
        if case .changed = outcomes.first {} else { Issue.record("expected changed, got \(outcomes)") }
        // Learned from that answer: the next command on #7 writes straight away.
        _ = try await service.resolve([7], by: Fixture.alice)
        #expect(sent(transport) == ["GET /incidents/7", "PUT /incidents", "PUT /incidents"])
    }

    @Test func alreadyAcknowledgedAnswerIsUnchangedWithoutASecondPut() async throws {
        let account = Account([7: ("P7", "triggered")])
        let transport = account.transport()
        let service = Fixture.service(transport)
        service.learn(Self.incident(7, id: "P7", status: .triggered))
        account.set(7, status: "acknowledged", by: "Bob")  // Bob acknowledged it on PagerDuty meanwhile
        let outcomes = try await service.acknowledge([7], by: Fixture.alice)
        guard case .unchanged(let incident) = outcomes.first else {
            Issue.record("expected unchanged, got \(outcomes)")
            return
        }
        #expect(incident.status == .acknowledged)
        #expect(incident.assignee == "Bob", "the answer says whose acknowledgement stands")
        #expect(sent(transport) == ["PUT /incidents", "GET /incidents/P7"], "read for who and when, never written again")
    }

    @Test func anIncidentLastSeenAcknowledgedIsReadNotWritten() async throws {
        let account = Account([7: ("P7", "acknowledged")])
        account.set(7, status: "acknowledged", by: "Bob")
        let transport = account.transport()
        let service = Fixture.service(transport)
        service.learn(Self.incident(7, id: "P7", status: .acknowledged))
        let outcomes = try await service.acknowledge([7], by: Fixture.alice)
        if case .unchanged = outcomes.first {} else { Issue.record("expected unchanged, got \(outcomes)") }
        #expect(sent(transport) == ["GET /incidents/P7"])
    }

    @Test func whoAcknowledgedItIsOneReadOfTheKnownId() async throws {
        let account = Account([7: ("P7", "acknowledged")])
        let transport = account.transport()
        let service = Fixture.service(transport)
        service.learn(Self.incident(7, id: "P7", status: .acknowledged))
        _ = try await service.lastChange(of: 7, to: .acknowledged)
        #expect(sent(transport) == ["GET /incidents/P7"])
    }

    @Test func acknowledgingAResolvedIncidentIsAnInvalidTransitionFromTheAnswerAlone() async throws {
        let account = Account([7: ("P7", "resolved")])
        let transport = account.transport()
        let service = Fixture.service(transport)
        service.learn(Self.incident(7, id: "P7", status: .triggered))
        let outcomes = try await service.acknowledge([7], by: Fixture.alice)
        #expect(outcomes == [.failed(number: 7, .invalidTransition(number: 7, from: .resolved, to: "acknowledge"))])
        #expect(sent(transport) == ["PUT /incidents"])
    }

    @Test func resolvingAnAlreadyResolvedIncidentIsUnchanged() async throws {
        let account = Account([7: ("P7", "resolved")])
        let transport = account.transport()
        let service = Fixture.service(transport)
        service.learn(Self.incident(7, id: "P7", status: .acknowledged))
        let outcomes = try await service.resolve([7], by: Fixture.alice)
        guard case .unchanged(let incident) = outcomes.first else {
            Issue.record("expected unchanged, got \(outcomes)")
            return
        }
        #expect(incident.status == .resolved)
        #expect(sent(transport) == ["PUT /incidents", "GET /incidents/P7"])
    }

    @Test func aWriteAppliedThenAnswered500IsNotSentTwice() async throws {
        let account = Account([7: ("P7", "triggered")])
        let transport = account.transport()
        let service = Fixture.service(transport)
        service.learn(Self.incident(7, id: "P7", status: .triggered))
        account.failNextWrite()
        let outcomes = try await service.acknowledge([7], by: Fixture.alice)
        guard case .changed(let incident) = outcomes.first else {
            Issue.record("expected changed (the write was applied), got \(outcomes)")
            return
        }
        #expect(incident.status == .acknowledged)
        #expect(sent(transport).filter { $0.hasPrefix("PUT") }.count == 1, "\(sent(transport))")
    }

    @Test func anUnknownNumberWrittenThenAnswered500IsNotSentTwice() async throws {
        let account = Account([7: ("P7", "triggered")])
        let transport = account.transport()
        account.failNextWrite()
        let outcomes = try await Fixture.service(transport).acknowledge([7], by: Fixture.alice)
        if case .changed = outcomes.first {} else { Issue.record("expected changed, got \(outcomes)") }
        #expect(sent(transport).filter { $0.hasPrefix("PUT") }.count == 1, "\(sent(transport))")
    }

    @Test func aStaleIdIsReadByNumberAndWrittenAgain() async throws {
        let account = Account([7: ("P7NEW", "triggered")])
        let transport = account.transport()
        let service = Fixture.service(transport)
        service.learn(Self.incident(7, id: "P7OLD", status: .triggered))
        let outcomes = try await service.acknowledge([7], by: Fixture.alice)
        if case .changed = outcomes.first {} else { Issue.record("expected changed, got \(outcomes)") }
        #expect(sent(transport) == ["PUT /incidents", "GET /incidents/P7OLD", "GET /incidents/7", "PUT /incidents"])
    }

    @Test func aRefusedActingUserIsNotAskedAgain() async throws {
        let transport = FakeTransport { _ throws(TransportFailure) in
            .json(400, #"{"error": {"message": "Requester User Not Found", "code": 1008}}"#)
        }
        let service = Fixture.service(transport)
        service.learn(Self.incident(7, id: "P7", status: .triggered))
        let outcomes = try await service.acknowledge([7], by: Fixture.alice)
        #expect(outcomes == [.failed(number: 7, .rejected(status: 400, message: "Requester User Not Found"))])
        #expect(transport.requests.count == 1)
    }

    @Test func incidentsAnnouncedByWebhookAreKnown() async throws {
        let account = Account([7: ("P7", "triggered")])
        let transport = account.transport()
        let service = Fixture.service(transport)
        final class Sink: IncidentEventSink {
            func publish(_ event: IncidentEvent) async throws {}
        }
        let sink = LearningEventSink(base: Sink(), service: service)
        try await sink.publish(IncidentEvent(id: "E1", kind: .triggered, incident: Self.incident(7, id: "P7", status: .triggered),
                                             occurredAt: Date()))
        _ = try await service.acknowledge([7], by: Fixture.alice)
        #expect(sent(transport) == ["PUT /incidents"])
    }

    @Test func openIncidentsListedAtStartAreKnown() async throws {
        let account = Account([7: ("P7", "triggered"), 8: ("P8", "acknowledged"), 9: ("P9", "resolved")])
        let transport = account.transport()
        let service = Fixture.service(transport)
        #expect(try await service.learnOpenIncidents() == 2)
        #expect(service.knownIncident(7) == .init(id: "P7", status: .triggered))
        #expect(service.knownIncident(9) == nil)
        let before = transport.requests.count
        _ = try await service.resolve([7, 8], by: Fixture.alice)
        #expect(Array(sent(transport).dropFirst(before)) == ["PUT /incidents"], "both in one bulk write")
    }
}
