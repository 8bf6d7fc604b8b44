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

    @Test func emptyOutboxIsHealthy() async {
        let health = await OutboxHealth(outbox: InMemoryOutbox()).health()
        #expect(health == [ComponentHealth(component: "outbox", status: .ok, detail: "empty")])
    }

    @Test func smallBacklogIsOkAndListedPerNetwork() async {
        let outbox = InMemoryOutbox()
        let text = RichText(plain: "x")
        _ = await outbox.enqueue([
            OutboxMessage(destination: .room("#a", on: "oftc"), text: text, priority: .low),
            OutboxMessage(destination: .room("#a", on: "libera"), text: text, priority: .low),
            OutboxMessage(destination: .room("#b", on: "libera"), text: text, priority: .low),
        ])
        let health = await OutboxHealth(outbox: outbox, degradedAbove: 3).health()
        #expect(health == [ComponentHealth(component: "outbox", status: .ok, detail: "undelivered — libera: 2, oftc: 1")])
    }

    @Test func backlogAboveTheThresholdIsDegraded() async {
        let outbox = InMemoryOutbox()
        _ = await outbox.enqueue((1...4).map { _ in OutboxMessage(destination: Fixtures.ops, text: RichText(plain: "x"), priority: .low) })
        #expect(await OutboxHealth(outbox: outbox, degradedAbove: 3).health().first?.status == .degraded)
        #expect(await OutboxHealth(outbox: outbox, degradedAbove: 4).health().first?.status == .ok)
    }

    @Test func unreadableOutboxIsDown() async {
        let health = await OutboxHealth(outbox: BrokenOutbox()).health()
        #expect(health == [ComponentHealth(component: "outbox", status: .down, detail: "cannot read the outbox: disk I/O error")])
    }
}
