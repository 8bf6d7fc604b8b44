import Foundation
import Testing
import TocsinCore

@Suite struct HealthTests {
    struct Fixed: HealthSource {
        var components: [ComponentHealth]
        func health() async -> [ComponentHealth] { components }
    }

    func part(_ name: String, _ status: ComponentHealth.Status) -> ComponentHealth {
        ComponentHealth(component: name, status: status)
    }

    @Test func allOkIsOk() {
        #expect(HealthReport(components: [part("irc", .ok), part("xmpp", .ok)]).status == .ok)
        #expect(HealthReport(components: []).status == .ok)
    }

    @Test func anyDegradedComponentDegradesTheWhole() {
        #expect(HealthReport(components: [part("irc", .ok), part("xmpp", .degraded)]).status == .degraded)
    }

    @Test func anyDownComponentMakesTheWholeDown() {
        #expect(HealthReport(components: [part("irc", .degraded), part("api", .down), part("xmpp", .ok)]).status == .down)
    }

    @Test func collectKeepsEverySourcesComponentsInOrder() async {
        let report = await HealthReport.collect(from: [
            Fixed(components: [part("irc:libera", .ok), part("irc:oftc", .degraded)]), Fixed(components: []),
            Fixed(components: [part("pagerduty", .ok)]),
        ])
        #expect(report.components.map(\.component) == ["irc:libera", "irc:oftc", "pagerduty"])
        #expect(report.status == .degraded)
    }

    @Test func reportEncodesStatusAsWords() throws {
        let json = try JSONEncoder().encode(HealthReport(components: [part("irc", .down)]))
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"status\":\"down\""))
    }

    /// A fixed backlog, or a failing read, for the readiness rules.
    struct Backlog: OutboxBacklogReporting {
        var snapshot: OutboxBacklog?
        func backlogSnapshot() async throws -> OutboxBacklog {
            guard let snapshot else { throw BrokenOutbox.Unavailable() }
            return snapshot
        }
    }

    static let now = Date(timeIntervalSince1970: 1_000_000)

    @Test func emptyOutboxIsReady() async {
        let health = await OutboxReadiness(outbox: Backlog(snapshot: OutboxBacklog(waiting: [:], oldest: nil))).health()
        #expect(health.first?.status == .ok)
        #expect(health.first?.detail == "empty")
        #expect(health.first?.depth == 0)
    }

    @Test func smallBacklogIsOkWithDepthOldestAgeAndNetworks() async {
        let backlog = OutboxBacklog(waiting: ["oftc": 1, "libera": 2], oldest: Self.now.addingTimeInterval(-42))
        let health = await OutboxReadiness(outbox: Backlog(snapshot: backlog), degradedAbove: 3, now: { Self.now }).health()
        #expect(health.first?.status == .ok)
        #expect(health.first?.detail == "3 undelivered (libera: 2, oftc: 1), oldest 42 s")
        #expect(health.first?.depth == 3)
        #expect(health.first?.oldestAgeSeconds == 42)
    }

    @Test func backlogAboveTheThresholdIsDegraded() async {
        let backlog = Backlog(snapshot: OutboxBacklog(waiting: ["libera": 4], oldest: Self.now))
        #expect(await OutboxReadiness(outbox: backlog, degradedAbove: 3, now: { Self.now }).health().first?.status == .degraded)
        #expect(await OutboxReadiness(outbox: backlog, degradedAbove: 4, now: { Self.now }).health().first?.status == .ok)
    }

    @Test func unreadableOutboxIsDownAndSaysWhatToCheck() async {
        let health = await OutboxReadiness(outbox: Backlog(snapshot: nil)).health()
        #expect(health.first?.status == .down)
        #expect(health.first?.detail?.contains("check that gateway.database is on a writable, not full disk): disk I/O error") == true)
    }
}
