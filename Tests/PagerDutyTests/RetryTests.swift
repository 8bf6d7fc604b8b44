import Foundation
import Testing
import TocsinCore
@testable import PagerDuty

/// Retries on a virtual clock: what is retried, how long Tocsin waits, and when it gives up.
@Suite struct RetryTests {
    static let emptyList = HTTPExchangeResponse.json(200, Samples.incidentList([]))

    @Test func rateLimitWaitsForRatelimitReset() async throws {
        let clock = VirtualClock()
        let transport = FakeTransport { _ throws(TransportFailure) in Self.emptyList }
        transport.enqueue(.success(.json(429, Samples.rateLimitError, headers: [
            HTTPField("ratelimit-limit", "960"), HTTPField("ratelimit-remaining", "0"), HTTPField("ratelimit-reset", "20"),
        ])))
        let page = try await Fixture.service(transport, clock: clock).openIncidents(limit: 5)
        #expect(page.incidents.isEmpty)
        #expect(clock.sleeps == [.seconds(20)])
        #expect(transport.requests.count == 2)
    }

    @Test func retryAfterWinsOverRatelimitReset() async throws {
        let clock = VirtualClock()
        let transport = FakeTransport { _ throws(TransportFailure) in Self.emptyList }
        transport.enqueue(.success(.json(429, Samples.rateLimitError, headers: [
            HTTPField("Retry-After", "3"), HTTPField("ratelimit-reset", "20"),
        ])))
        _ = try await Fixture.service(transport, clock: clock).openIncidents(limit: 5)
        #expect(clock.sleeps == [.seconds(3)])
    }

    @Test func retryAfterAsHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_700_000_000) // Tue, 14 Nov 2023 22:13:20 GMT
        let response = HTTPExchangeResponse(status: 503, headers: [HTTPField("Retry-After", "Tue, 14 Nov 2023 22:13:27 GMT")])
        #expect(RetryPolicy.serverRequestedWait(in: response, now: now) == .seconds(7))
    }

    @Test func ratelimitResetOnOtherAnswersIsNotAWaitHint() {
        let response = HTTPExchangeResponse(status: 500, headers: [HTTPField("ratelimit-reset", "40")])
        #expect(RetryPolicy.serverRequestedWait(in: response, now: Date()) == nil)
    }

    @Test func aLimitThatResetsTooLateFailsAtOnceSayingWhen() async throws {
        let clock = VirtualClock()
        let transport = FakeTransport { _ throws(TransportFailure) in
            .json(429, Samples.rateLimitError, headers: [HTTPField("ratelimit-reset", "55")])
        }
        await #expect(throws: IncidentServiceError.unavailable("rate limited by PagerDuty (429); the limit resets in 55 s")) {
            try await Fixture.service(transport, clock: clock).openIncidents(limit: 5)
        }
        #expect(clock.sleeps.isEmpty)
        #expect(transport.requests.count == 1)
    }

    @Test func serverErrorsBackOffExponentiallyWithJitterThenGiveUp() async throws {
        let clock = VirtualClock()
        let transport = FakeTransport { _ throws(TransportFailure) in .json(503, Samples.internalError) }
        var configuration = Fixture.configuration
        configuration.circuitBreakerThreshold = 100
        let service = Fixture.service(transport, clock: clock, configuration: configuration, jitter: 0.5)
        await #expect(throws: IncidentServiceError.unavailable(
            "PagerDuty answered 503 (An internal error has occurred. PagerDuty team has been notified.) after 4 attempts")
        ) {
            try await service.openIncidents(limit: 5)
        }
        #expect(transport.requests.count == 4, "one attempt and maxRetries (3) retries")
        // Equal jitter: half of 0.5 s, 1 s, 2 s fixed, plus half of it times the jitter (0.5).
        #expect(clock.sleeps == [.milliseconds(375), .milliseconds(750), .milliseconds(1500)])
        #expect(await service.health().first?.status == .degraded)
    }

    @Test func backoffIsCappedAndJitterStaysInRange() {
        let policy = RetryPolicy(maxRetries: 10, maxServerWait: .seconds(30))
        #expect(policy.backoff(retry: 1, jitter: 0) == .milliseconds(250))
        #expect(policy.backoff(retry: 1, jitter: 1) == .milliseconds(500))
        #expect(policy.backoff(retry: 10, jitter: 1) == .seconds(8))
        #expect(policy.backoff(retry: 10, jitter: 0) == .seconds(4))
        #expect(policy.backoff(retry: 60, jitter: 7) == .seconds(8))
    }

    @Test func timeoutsOnReadsAreRetried() async throws {
        let clock = VirtualClock()
        let transport = FakeTransport { _ throws(TransportFailure) in Self.emptyList }
        transport.enqueue(.failure(.timedOut), .failure(.connectionLost("reset by peer")))
        _ = try await Fixture.service(transport, clock: clock).openIncidents(limit: 5)
        #expect(transport.requests.count == 3)
        #expect(clock.sleeps.count == 2)
    }

    @Test func retriesStopWhenTheTimeBudgetIsSpent() async throws {
        let clock = VirtualClock()
        // Each attempt waits out the 15 s request timeout.
        let transport = FakeTransport { _ throws(TransportFailure) in
            clock.advance(by: 15)
            throw .timedOut
        }
        await #expect(throws: IncidentServiceError.unavailable("no answer within the request timeout (2 attempts)")) {
            try await Fixture.service(transport, clock: clock).openIncidents(limit: 5)
        }
        #expect(transport.requests.count == 2, "15 s + back-off + 15 s leaves no room in the 30 s budget")
    }

    @Test func aSecondLongRateLimitWaitDoesNotFitTheBudget() async throws {
        let clock = VirtualClock()
        let transport = FakeTransport { _ throws(TransportFailure) in
            .json(429, Samples.rateLimitError, headers: [HTTPField("ratelimit-reset", "20")])
        }
        await #expect(throws: IncidentServiceError.unavailable("rate limited by PagerDuty (429); the limit resets in 20 s")) {
            try await Fixture.service(transport, clock: clock).openIncidents(limit: 5)
        }
        #expect(clock.sleeps == [.seconds(20)])
    }

    @Test func aNoteIsNotResentAfterATimeoutThatMayHaveAppliedIt() async throws {
        let transport = FakeTransport { request throws(TransportFailure) in
            if request.method == "POST" { throw .timedOut }
            return .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1)))
        }
        await #expect(throws: IncidentServiceError.self) {
            try await Fixture.service(transport).addNote(to: 1, content: "rolled back", by: Fixture.alice)
        }
        #expect(transport.requests.filter { $0.method == "POST" }.count == 1)
    }

    @Test func aTriggerIsRetriedWhenTheConnectionWasNeverMade() async throws {
        let transport = FakeTransport { _ throws(TransportFailure) in
            .json(201, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1)))
        }
        transport.enqueue(.failure(.connectFailed("Connection refused")))
        let incident = try await Fixture.service(transport).trigger(service: "api", title: "x", by: Fixture.alice)
        #expect(incident.number == 1)
        #expect(transport.requests.count == 2)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let transport = FakeTransport { _ throws(TransportFailure) in .json(400, Samples.documentedError) }
        await #expect(throws: IncidentServiceError.self) {
            try await Fixture.service(transport).openIncidents(limit: 5)
        }
        #expect(transport.requests.count == 1)
    }

    @Test func maxRetriesZeroMeansOneAttempt() async throws {
        var configuration = Fixture.configuration
        configuration.maxRetries = 0
        let transport = FakeTransport { _ throws(TransportFailure) in .json(500, Samples.internalError) }
        await #expect(throws: IncidentServiceError.self) {
            try await Fixture.service(transport, configuration: configuration).openIncidents(limit: 5)
        }
        #expect(transport.requests.count == 1)
    }
}
