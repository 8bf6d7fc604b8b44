import Testing
import TocsinCore

/// The `/readyz` overall status: degraded while anything still works, down only when nothing can.
@Suite struct ReadinessRulesTests {
    static func network(_ name: String, _ status: ComponentHealth.Status) -> ComponentHealth {
        ComponentHealth(component: name, status: status)
    }

    static let outboxOK = ComponentHealth(component: "outbox", status: .ok, kind: .outbox, depth: 0)

    @Test func everythingOkIsOk() {
        let report = ReadinessReport(components: [Self.network("irc:a", .ok), Self.outboxOK])
        #expect(report.status == .ok)
        #expect(report.reason == nil)
    }

    @Test func oneNetworkOfSeveralDownIsDegraded() {
        let report = ReadinessReport(components: [Self.network("irc:a", .ok), Self.network("xmpp:b", .down), Self.outboxOK])
        #expect(report.status == .degraded)
        #expect(report.reason == "xmpp:b is down")
    }

    @Test func theOnlyNetworkDownIsDown() {
        let report = ReadinessReport(components: [Self.network("irc:a", .down), Self.outboxOK])
        #expect(report.status == .down)
        #expect(report.reason == "the only chat network (irc:a) is down")
    }

    @Test func everyNetworkDownIsDownEvenWithTheRestOk() {
        let report = ReadinessReport(components: [Self.network("irc:a", .down), Self.network("xmpp:b", .down), Self.outboxOK])
        #expect(report.status == .down)
        #expect(report.reason?.contains("every chat network is down") == true)
    }

    @Test func incidentAPIDownLeavesTheGatewayDegradedNotDown() {
        let api = ComponentHealth(component: "pagerduty", status: .down, kind: .incidentAPI, circuit: .open)
        let report = ReadinessReport(components: [Self.network("irc:a", .ok), api, Self.outboxOK])
        #expect(report.status == .degraded)
    }

    @Test func unreadableOutboxIsDownWhateverTheNetworks() {
        let outbox = ComponentHealth(component: "outbox", status: .down, detail: "disk I/O error", kind: .outbox)
        let report = ReadinessReport(components: [Self.network("irc:a", .ok), outbox])
        #expect(report.status == .down)
        #expect(report.reason?.contains("disk I/O error") == true)
    }

    @Test func intakeOnlyGatewayWithoutNetworksIsOk() {
        #expect(ReadinessReport(components: [Self.outboxOK]).status == .ok)
    }

    @Test func roomsMissingOnAConnectedNetworkIsDegraded() {
        let partial = ComponentHealth(component: "irc:a", status: .degraded, connected: true, roomsJoined: 1, roomsConfigured: 2)
        #expect(ReadinessReport(components: [partial, Self.outboxOK]).status == .degraded)
    }

    @Test func componentKindIsInferredFromItsName() {
        #expect(ComponentHealth(component: "irc:x", status: .ok).resolvedKind == .network)
        #expect(ComponentHealth(component: "xmpp:x", status: .ok).resolvedKind == .network)
        #expect(ComponentHealth(component: "outbox", status: .ok).resolvedKind == .outbox)
        #expect(ComponentHealth(component: "pagerduty", status: .ok).resolvedKind == .incidentAPI)
        #expect(ComponentHealth(component: "other", status: .ok, kind: .network).resolvedKind == .network)
    }
}
