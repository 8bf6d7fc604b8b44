import EmbeddedIncidents
import Foundation
import Testing
import TocsinCore

@Suite("Events API v2 intake")
struct AlertEventIntakeTests {
    func trigger(_ key: String, severity: Severity? = .critical, summary: String = "CPU high", service: String = "api") -> AlertEvent {
        AlertEvent(service: service, action: .trigger, dedupKey: key, summary: summary, source: "alertmanager",
                   severity: severity, component: "db")
    }

    @Test func triggerOpensAnIncidentFromThePayload() async throws {
        let harness = try StoreHarness()
        let outcome = try await harness.store.enqueue(trigger("k1", severity: .error, summary: "Error rate 5%"))

        guard case .opened(let incident) = outcome else {
            Issue.record("expected .opened, got \(outcome)")
            return
        }
        #expect(incident.number == 1)
        #expect(incident.title == "Error rate 5%")
        #expect(incident.severity == .error)
        #expect(incident.urgency == .high)
        #expect(incident.status == .triggered)
        let events = await harness.sink.events
        #expect(events.map(\.kind) == [.triggered])
        #expect(events.first?.actor == nil, "opened by the platform, not a person")
    }

    @Test func severityDecidesUrgency() async throws {
        let harness = try StoreHarness()
        for (index, severity) in Severity.allCases.enumerated() {
            guard case .opened(let incident) = try await harness.store.enqueue(trigger("k\(index)", severity: severity)) else {
                Issue.record("expected a new incident for \(severity)")
                continue
            }
            #expect(incident.urgency == severity.defaultUrgency)
        }
        guard case .opened(let unknown) = try await harness.store.enqueue(trigger("none", severity: nil)) else { return }
        #expect(unknown.urgency == .high)
    }

    @Test func triggeringTwiceWithTheSameKeyKeepsOneIncident() async throws {
        let harness = try StoreHarness()
        _ = try await harness.store.enqueue(trigger("same"))
        harness.clock.advance(by: 30)
        let second = try await harness.store.enqueue(trigger("same", summary: "CPU still high"))

        guard case .merged(let incident) = second else {
            Issue.record("expected .merged, got \(second)")
            return
        }
        #expect(incident.number == 1)
        #expect(incident.title == "CPU high")
        #expect(try await harness.store.openIncidents(limit: 10).incidents.count == 1)
        #expect(await harness.sink.kinds == [.triggered], "a merged alert is not announced again")
        let timeline = try await harness.store.details(of: 1).timeline
        #expect(timeline.count == 2)
        #expect(timeline.last?.summary.contains("received again") == true)
    }

    @Test func mergingAlsoAppliesToAcknowledgedIncidents() async throws {
        let harness = try StoreHarness()
        _ = try await harness.store.enqueue(trigger("same"))
        _ = try await harness.store.acknowledge([1], by: Fixture.aliceActor)
        guard case .merged(let incident) = try await harness.store.enqueue(trigger("same")) else {
            Issue.record("expected .merged")
            return
        }
        #expect(incident.status == .acknowledged)
    }

    @Test func acknowledgeAndResolveByKeyUpdateTheOpenIncident() async throws {
        let harness = try StoreHarness()
        _ = try await harness.store.enqueue(trigger("k"))

        let acknowledged = try await harness.store.enqueue(AlertEvent(service: "api", action: .acknowledge, dedupKey: "k"))
        #expect(acknowledged == .updated(try await harness.store.details(of: 1).incident))
        let repeated = try await harness.store.enqueue(AlertEvent(service: "api", action: .acknowledge, dedupKey: "k"))
        guard case .updated(let same) = repeated else {
            Issue.record("expected .updated, got \(repeated)")
            return
        }
        #expect(same.status == .acknowledged)

        let resolved = try await harness.store.enqueue(AlertEvent(service: "api", action: .resolve, dedupKey: "k"))
        guard case .updated(let incident) = resolved else {
            Issue.record("expected .updated, got \(resolved)")
            return
        }
        #expect(incident.status == .resolved)
        #expect(await harness.sink.kinds == [.triggered, .acknowledged, .resolved])
    }

    @Test func resolvingAnUnknownKeyIsIgnored() async throws {
        let harness = try StoreHarness()
        let outcome = try await harness.store.enqueue(AlertEvent(service: "api", action: .resolve, dedupKey: "never-seen"))
        #expect(outcome == .ignored)
        #expect(await harness.sink.events.isEmpty)
    }

    @Test func aResolvedIncidentReleasesItsKey() async throws {
        let harness = try StoreHarness()
        _ = try await harness.store.enqueue(trigger("k"))
        _ = try await harness.store.enqueue(AlertEvent(service: "api", action: .resolve, dedupKey: "k"))

        #expect(try await harness.store.enqueue(AlertEvent(service: "api", action: .resolve, dedupKey: "k")) == .ignored)
        guard case .opened(let reopened) = try await harness.store.enqueue(trigger("k")) else {
            Issue.record("a new trigger after resolution opens a new incident")
            return
        }
        #expect(reopened.number == 2)
    }

    @Test func triggerWithoutKeyGetsAGeneratedOne() async throws {
        let harness = try StoreHarness()
        guard case .opened = try await harness.store.enqueue(trigger("")),
              case .opened = try await harness.store.enqueue(trigger("")) else {
            Issue.record("each keyless trigger opens its own incident")
            return
        }
    }

    @Test func invalidEventsAreRefused() async throws {
        let harness = try StoreHarness()
        await #expect(throws: IncidentServiceError.unknownService("nope")) {
            try await harness.store.enqueue(trigger("k", service: "nope"))
        }
        await #expect(throws: IncidentServiceError.self) {
            try await harness.store.enqueue(trigger("k", summary: " "))
        }
        await #expect(throws: IncidentServiceError.self) {
            try await harness.store.enqueue(trigger(String(repeating: "k", count: 256)))
        }
        await #expect(throws: IncidentServiceError.self) {
            try await harness.store.enqueue(AlertEvent(service: "api", action: .acknowledge, dedupKey: ""))
        }
    }
}
