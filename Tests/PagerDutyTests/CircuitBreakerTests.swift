import Foundation
import Testing
import TocsinCore
@testable import PagerDuty

/// The breaker as a state machine, then through the service on a virtual clock with `health()`.
@Suite struct CircuitBreakerTests {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func opensAfterThresholdConsecutiveFailures() {
        var breaker = CircuitBreaker(threshold: 3, coolDown: .seconds(30))
        for _ in 0..<2 { breaker.recordFailure("503", now: start) }
        #expect(breaker.state == .closed(consecutiveFailures: 2))
        #expect(breaker.admit(now: start) == .proceed)
        breaker.recordFailure("503", now: start)
        #expect(breaker.state == .open(until: start + 30, failures: 3))
        #expect(breaker.admit(now: start + 29) == .refuse(failures: 3, retryAt: start + 30))
    }

    @Test func successResetsTheCount() {
        var breaker = CircuitBreaker(threshold: 3, coolDown: .seconds(30))
        breaker.recordFailure("timeout", now: start)
        breaker.recordFailure("timeout", now: start)
        breaker.recordSuccess()
        breaker.recordFailure("timeout", now: start)
        #expect(breaker.state == .closed(consecutiveFailures: 1))
    }

    @Test func halfOpenLetsExactlyOneProbeThrough() {
        var breaker = CircuitBreaker(threshold: 1, coolDown: .seconds(30))
        breaker.recordFailure("503", now: start)
        #expect(breaker.admit(now: start + 30) == .probe)
        #expect(breaker.admit(now: start + 30) == .refuse(failures: 1, retryAt: nil))
        breaker.recordSuccess()
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        #expect(breaker.admit(now: start + 31) == .proceed)
    }

    @Test func aFailedProbeReopensForAnotherCoolDown() {
        var breaker = CircuitBreaker(threshold: 1, coolDown: .seconds(30))
        breaker.recordFailure("503", now: start)
        #expect(breaker.admit(now: start + 31) == .probe)
        breaker.recordFailure("503 again", now: start + 31)
        #expect(breaker.state == .open(until: start + 61, failures: 2))
        #expect(breaker.lastFailure == "503 again")
    }

    @Test func anAbandonedProbeLetsTheNextCallProbe() {
        var breaker = CircuitBreaker(threshold: 1, coolDown: .seconds(30))
        breaker.recordFailure("503", now: start)
        #expect(breaker.admit(now: start + 30) == .probe)
        breaker.recordAbandonedProbe()
        #expect(breaker.admit(now: start + 30) == .probe)
    }

    @Test func refusalMessageSaysWhen() {
        #expect(CircuitBreaker.refusalMessage(failures: 5, retryAt: start + 30)
            == "PagerDuty API circuit open after 5 failures; retrying at 2023-11-14T22:13:50Z")
    }

    @Test func serviceFailsFastWhileOpenThenRecoversThroughAProbe() async throws {
        let clock = VirtualClock(start: start)
        let transport = FakeTransport { _ throws(TransportFailure) in throw .connectionLost("reset by peer") }
        let service = Fixture.service(transport, clock: clock)
        #expect(await service.health() == [ComponentHealth(component: "pagerduty", status: .ok, kind: .incidentAPI, circuit: .closed)])

        // Two commands: 4 + 1 failed exchanges reach the threshold of 5 and open the circuit.
        await #expect(throws: IncidentServiceError.self) { try await service.openIncidents(limit: 5) }
        #expect(await service.health().first?.status == .degraded)
        let opened: IncidentServiceError
        do {
            _ = try await service.openIncidents(limit: 5)
            Issue.record("expected the circuit to open")
            return
        } catch let error as IncidentServiceError {
            opened = error
        }
        guard case .unavailable(let reason) = opened else { Issue.record("\(opened)"); return }
        #expect(reason.hasPrefix("PagerDuty API circuit open after 5 failures; retrying at "))
        let sent = transport.requests.count
        #expect(sent == 5, "the breaker stops retrying as soon as it opens")

        // Open: no request reaches PagerDuty; the health report says why and until when.
        await #expect(throws: IncidentServiceError.unavailable(
            "PagerDuty API circuit open after 5 failures; retrying at \((clock.now() + 30).formatted(.iso8601))")
        ) {
            try await service.details(of: 1)
        }
        #expect(transport.requests.count == sent)
        let down = try #require(await service.health().first)
        #expect(down.status == .down)
        #expect(down.detail?.contains("circuit open after 5 failures") == true)
        #expect(down.detail?.contains("reset by peer") == true)

        // After the cool-down the background probe goes through on its own; PagerDuty is back, so
        // the circuit closes before anyone types a command.
        transport.setHandler { _ throws(TransportFailure) in RetryTests.emptyList }
        clock.advance(by: 30)
        #expect(await eventually { await service.health() == [ComponentHealth(component: "pagerduty", status: .ok, kind: .incidentAPI, circuit: .closed)] })
        #expect(transport.requests.count == sent + 1)
        #expect(transport.requests.last?.path == "/abilities")
        let page = try await service.openIncidents(limit: 5)
        #expect(page.incidents.isEmpty)
        #expect(transport.requests.count == sent + 2)
    }

    @Test func aFailedProbeDoesNotRetry() async throws {
        let clock = VirtualClock(start: start)
        var configuration = Fixture.configuration
        configuration.circuitBreakerThreshold = 1
        let transport = FakeTransport { _ throws(TransportFailure) in .json(502, "<html>Bad Gateway</html>") }
        let service = Fixture.service(transport, clock: clock, configuration: configuration)
        await #expect(throws: IncidentServiceError.self) { try await service.openIncidents(limit: 5) }
        #expect(transport.requests.count == 1)
        clock.advance(by: 31)
        #expect(await eventually { transport.requests.count == 2 && clock.waiting == 1 },
                "the background probe was sent once and the next one waits for another cool-down")
        #expect(transport.requests.last?.path == "/abilities")
        await #expect(throws: IncidentServiceError.self) { try await service.openIncidents(limit: 5) }
        #expect(transport.requests.count == 2, "the probe failed and the circuit reopened without a retry")
        #expect(await service.health().first?.status == .down)
    }

    @Test func rateLimitingDoesNotOpenTheCircuit() async throws {
        let clock = VirtualClock(start: start)
        var configuration = Fixture.configuration
        configuration.circuitBreakerThreshold = 2
        let transport = FakeTransport { _ throws(TransportFailure) in
            .json(429, Samples.rateLimitError, headers: [HTTPField("ratelimit-reset", "1")])
        }
        let service = Fixture.service(transport, clock: clock, configuration: configuration)
        await #expect(throws: IncidentServiceError.unavailable("rate limited by PagerDuty (429) after 4 attempts")) {
            try await service.openIncidents(limit: 5)
        }
        #expect(client(of: service).condition.breaker.state == .closed(consecutiveFailures: 0))
        let health = try #require(await service.health().first)
        #expect(health.status == .degraded)
        #expect(health.detail?.contains("rate limited") == true)
    }

    private func client(of service: PagerDutyService) -> PagerDutyRESTClient { service.client }
}
