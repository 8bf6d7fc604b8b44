import Foundation
import Synchronization
import Testing
import TocsinCore
@testable import PagerDuty

/// Hole 6: writes that are not idempotent — a note, a new incident, a snooze — are never repeated
/// blindly after a 5xx or a lost answer. Tocsin first looks for the write's effect; only when it is
/// not there is the write sent again.
@Suite struct UncertainWriteTests {
    /// A small account whose notes, incidents and snoozes really change, with a switch that makes
    /// the next write be applied and then answered 500 (or lost), as PagerDuty's edge may do.
    final class Account: Sendable {
        struct State {
            var notes: [String] = []
            var created: [(key: String, number: Int)] = []
            var snoozedUntil: String?
            /// Failures for the next writes: "500-applied", "500", "timeout-applied".
            var failures: [String] = []
        }

        let state = Mutex(State())
        let clock: VirtualClock

        init(clock: VirtualClock) { self.clock = clock }

        func failNextWrites(_ modes: String...) { state.withLock { $0.failures += modes } }
        var notes: [String] { state.withLock { $0.notes } }
        var created: Int { state.withLock { $0.created.count } }

        func transport() -> FakeTransport {
            FakeTransport { [self] request throws(TransportFailure) in try self.answer(request) }
        }

        func answer(_ request: HTTPExchangeRequest) throws(TransportFailure) -> HTTPExchangeResponse {
            let stamp = PagerDutyDate.format(clock.now())
            let incident = Samples.incident(id: "P1", number: 1, status: "acknowledged", pendingActions: state.withLock { state in
                state.snoozedUntil.map { #"[{"type": "unacknowledge", "at": "\#($0)"}]"# } ?? "[]"
            })
            if request.method == "GET" {
                switch request.path {
                case "/incidents/1", "/incidents/P1":
                    return .json(200, Samples.incidentEnvelope(incident))
                case "/incidents/P1/notes":
                    let notes = state.withLock { $0.notes }.map {
                        #"{"id": "N", "user": {"id": "PU", "type": "user_reference", "summary": "Alice"}, "content": "\#($0)", "created_at": "\#(stamp)"}"#
                    }
                    return .json(200, #"{"notes": [\#(notes.joined(separator: ","))]}"#)
                case "/incidents":
                    let key = request.queryValues("incident_key").first ?? ""
                    let found = state.withLock { $0.created.filter { $0.key == key } }.map { created in
                        Samples.incident(id: "PNEW\(created.number)", number: created.number)
                            .replacingOccurrences(of: #""status":"#, with: #""incident_key": "\#(created.key)", "status":"#)
                    }
                    return .json(200, Samples.incidentList(found))
                default:
                    return HTTPExchangeResponse(status: 404, body: Samples.notFoundError)
                }
            }
            let mode = state.withLock { $0.failures.isEmpty ? nil : $0.failures.removeFirst() }
            if mode == "500" { return .json(500, Samples.internalError) }
            let answer: HTTPExchangeResponse
            switch (request.method, request.path) {
            case ("POST", "/incidents/P1/notes"):
                let content = ((request.jsonBody?["note"] as? NSDictionary)?["content"] as? String) ?? ""
                state.withLock { $0.notes.append(content) }
                answer = .json(201, Samples.noteCreated)
            case ("POST", "/incidents"):
                let key = ((request.jsonBody?["incident"] as? NSDictionary)?["incident_key"] as? String) ?? ""
                let number = state.withLock { state in
                    state.created.append((key, 100 + state.created.count))
                    return state.created.last!.number
                }
                answer = .json(201, Samples.incidentEnvelope(Samples.incident(id: "PNEW\(number)", number: number)))
            case ("POST", "/incidents/P1/snooze"):
                let seconds = (request.jsonBody?["duration"] as? Int) ?? 0
                let until = PagerDutyDate.format(clock.now().addingTimeInterval(TimeInterval(seconds)))
                state.withLock { $0.snoozedUntil = until }
                answer = .json(201, Samples.incidentEnvelope(Samples.incident(
                    id: "P1", number: 1, status: "acknowledged", pendingActions: #"[{"type": "unacknowledge", "at": "\#(until)"}]"#)))
            default:
                return HTTPExchangeResponse(status: 404, body: Samples.notFoundError)
            }
            switch mode {
            case "500-applied": return .json(500, Samples.internalError)
            case "timeout-applied": throw .timedOut
            default: return answer
            }
        }
    }

    func writes(_ transport: FakeTransport) -> [String] {
        transport.requests.filter { $0.method != "GET" }.map { "\($0.method) \($0.path)" }
    }

    @Test func aNoteAppliedThenAnswered500IsNotAddedTwice() async throws {
        let clock = VirtualClock()
        let account = Account(clock: clock)
        let transport = account.transport()
        account.failNextWrites("500-applied")
        let incident = try await Fixture.service(transport, clock: clock).addNote(to: 1, content: "rolled back", by: Fixture.alice)
        #expect(incident.number == 1)
        #expect(account.notes == ["rolled back"], "one note, not two")
        #expect(writes(transport) == ["POST /incidents/P1/notes"])
        #expect(transport.requests.last?.path == "/incidents/P1/notes" && transport.requests.last?.method == "GET",
                "Tocsin looked at the notes instead of repeating the write")
    }

    @Test func aNoteThatWasNotAppliedIsSentAgainAfterLooking() async throws {
        let clock = VirtualClock()
        let account = Account(clock: clock)
        let transport = account.transport()
        account.failNextWrites("500")
        _ = try await Fixture.service(transport, clock: clock).addNote(to: 1, content: "rolled back", by: Fixture.alice)
        #expect(account.notes == ["rolled back"])
        #expect(writes(transport) == ["POST /incidents/P1/notes", "POST /incidents/P1/notes"])
        let methods = transport.requests.suffix(3).map(\.method)
        #expect(methods == ["POST", "GET", "POST"], "looked before repeating")
    }

    @Test func aNoteWhoseAnswerTimedOutIsFoundNotRepeated() async throws {
        let clock = VirtualClock()
        let account = Account(clock: clock)
        let transport = account.transport()
        account.failNextWrites("timeout-applied")
        _ = try await Fixture.service(transport, clock: clock).addNote(to: 1, content: "paged db team", by: Fixture.alice)
        #expect(account.notes == ["paged db team"])
        #expect(writes(transport).count == 1)
    }

    @Test func aNewIncidentAppliedThenAnswered500IsFoundByItsIncidentKey() async throws {
        let clock = VirtualClock()
        let account = Account(clock: clock)
        let transport = account.transport()
        account.failNextWrites("500-applied")
        let incident = try await Fixture.service(transport, clock: clock).trigger(service: "api", title: "Disk full", by: Fixture.alice)
        #expect(account.created == 1, "one incident, not two")
        #expect(incident.number == 100)
        let create = try #require(transport.requests.first { $0.method == "POST" })
        let key = try #require((create.jsonBody?["incident"] as? NSDictionary)?["incident_key"] as? String)
        #expect(key.hasPrefix("tocsin-"))
        let lookup = try #require(transport.requests.last)
        #expect(lookup.method == "GET" && lookup.path == "/incidents" && lookup.queryValues("incident_key") == [key])
    }

    @Test func aSnoozeAppliedThenAnswered500IsNotRepeated() async throws {
        let clock = VirtualClock()
        let account = Account(clock: clock)
        let transport = account.transport()
        account.failNextWrites("500-applied")
        let incident = try await Fixture.service(transport, clock: clock).snooze(1, for: 3600, by: Fixture.alice)
        #expect(incident.snoozedUntil != nil)
        #expect(writes(transport) == ["POST /incidents/P1/snooze"])
    }

    @Test func whenEveryAttemptFailsTheReplySaysTheWriteWasNotApplied() async throws {
        let clock = VirtualClock()
        let account = Account(clock: clock)
        let transport = account.transport()
        account.failNextWrites("500", "500", "500", "500", "500")
        var configuration = Fixture.configuration
        configuration.circuitBreakerThreshold = 100
        let service = Fixture.service(transport, clock: clock, configuration: configuration)
        await #expect(throws: IncidentServiceError.unavailable(
            "PagerDuty answered 500 to POST /incidents/P1/notes (An internal error has occurred. PagerDuty team has been notified.) "
                + "(4 attempts); it was not applied")) {
            try await service.addNote(to: 1, content: "x", by: Fixture.alice)
        }
        #expect(writes(transport).count == 4)
        #expect(account.notes.isEmpty)
    }

    @Test func aWriteIsNotRepeatedWhenLookingForItFails() async throws {
        let clock = VirtualClock()
        var configuration = Fixture.configuration
        configuration.circuitBreakerThreshold = 100
        configuration.maxRetries = 0
        let transport = FakeTransport { request throws(TransportFailure) in
            switch (request.method, request.path) {
            case ("GET", "/incidents/1"): .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1)))
            default: .json(502, "<html>Bad Gateway</html>")
            }
        }
        let service = Fixture.service(transport, clock: clock, configuration: configuration)
        do {
            _ = try await service.addNote(to: 1, content: "x", by: Fixture.alice)
            Issue.record("expected a failure")
        } catch let error as IncidentServiceError {
            #expect("\(error)".contains("it may have been applied — check before repeating"), "\(error)")
        }
        #expect(transport.requests.filter { $0.method == "POST" }.count == 1)
    }
}
