import Foundation
import Testing
import TocsinCore
@testable import PagerDuty

/// Hole 6: an open circuit probes PagerDuty on its own after the cool-down, so `/healthz` recovers
/// without anyone typing a command — and nothing is scheduled while the circuit is closed.
@Suite struct BackgroundProbeTests {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    func openCircuit() async -> (PagerDutyService, FakeTransport, VirtualClock) {
        let clock = VirtualClock(start: start)
        var configuration = Fixture.configuration
        configuration.circuitBreakerThreshold = 1
        let transport = FakeTransport { _ throws(TransportFailure) in .json(503, Samples.internalError) }
        let service = Fixture.service(transport, clock: clock, configuration: configuration)
        _ = try? await service.openIncidents(limit: 5)
        return (service, transport, clock)
    }

    @Test func theCircuitClosesAfterTheCoolDownWithoutAnyCommand() async throws {
        let (service, transport, clock) = await openCircuit()
        #expect(await service.health().first?.status == .down)
        #expect(transport.requests.count == 1)
        transport.setHandler { _ throws(TransportFailure) in .json(200, #"{"abilities": ["teams"]}"#) }

        clock.advance(by: 29)
        try await Task.sleep(for: .milliseconds(50))
        #expect(transport.requests.count == 1, "nothing is sent before the cool-down ends")

        clock.advance(by: 1)
        #expect(await eventually { await service.health() == [ComponentHealth(component: "pagerduty", status: .ok, kind: .incidentAPI, circuit: .closed)] })
        let probe = try #require(transport.requests.last)
        #expect(transport.requests.count == 2)
        #expect((probe.method, probe.path) == ("GET", "/abilities"))
        #expect(probe.header("From") == nil && probe.body == nil, "the probe is a read that changes nothing")
        #expect(await eventually { clock.waiting == 0 }, "a closed circuit schedules no further probe")
    }

    @Test func aFailedProbeWaitsAnotherCoolDownThenProbesAgain() async throws {
        let (service, transport, clock) = await openCircuit()
        clock.advance(by: 30)
        #expect(await eventually { transport.requests.count == 2 && clock.waiting == 1 })
        #expect(await service.health().first?.status == .down)

        transport.setHandler { _ throws(TransportFailure) in .json(200, #"{"abilities": []}"#) }
        clock.advance(by: 30)
        #expect(await eventually { await service.health().first?.status == .ok })
        #expect(transport.requests.count == 3)
        #expect(transport.requests.dropFirst().allSatisfy { $0.path == "/abilities" })
    }

    @Test func aClosedCircuitSchedulesNothing() async throws {
        let clock = VirtualClock(start: start)
        let transport = FakeTransport { _ throws(TransportFailure) in RetryTests.emptyList }
        let service = Fixture.service(transport, clock: clock)
        _ = try await service.openIncidents(limit: 5)
        clock.advance(by: 3600)
        try await Task.sleep(for: .milliseconds(50))
        #expect(clock.waiting == 0)
        #expect(transport.requests.count == 1, "no periodic tick: only the command's own request")
    }

    @Test func stopProbingCancelsTheWaitingProbe() async throws {
        let (service, transport, clock) = await openCircuit()
        #expect(await eventually { clock.waiting == 1 })
        service.stopProbing()
        clock.advance(by: 60)
        try await Task.sleep(for: .milliseconds(50))
        #expect(transport.requests.count == 1)
    }
}
