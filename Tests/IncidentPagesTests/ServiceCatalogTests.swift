import Foundation
import Synchronization
import Testing
@testable import IncidentPages
import TocsinCore

/// On PagerDuty the page reads the incident through the backend and shows the platform's log
/// entries (`GET /incidents/{id}/log_entries`) beside the chat, and links to PagerDuty's page.
@Suite struct ServiceCatalogTests {
    let f = PageFixtures.self

    struct OneIncident: IncidentService {
        let incident: Incident
        var backendName: String { "PagerDuty" }
        var supportedCommands: Set<CommandName> { [.incident, .incidents] }
        func details(of number: Int) async throws -> IncidentDetails {
            guard number == incident.number else { throw IncidentServiceError.notFound(number: number) }
            return IncidentDetails(incident: incident, notes: [IncidentNote(author: "Alice", content: "rolled back", createdAt: incident.createdAt)],
                                   timeline: [TimelineEntry(at: incident.createdAt, actor: nil, summary: "overview only")])
        }
        func openIncidents(limit: Int) async throws -> IncidentPage { IncidentPage(incidents: [incident], more: false) }
        func acknowledge(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome] { [] }
        func resolve(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome] { [] }
        func addNote(to number: Int, content: String, by actor: Actor) async throws -> Incident { incident }
        func trigger(service: String, title: String, by actor: Actor) async throws -> Incident { incident }
        func onCall(name: String?) async throws -> [OnCallEntry] { [] }
        func reassign(_ number: Int, to user: String, by actor: Actor) async throws -> Incident { incident }
        func escalate(_ number: Int, toLevel level: Int?, by actor: Actor) async throws -> Incident { incident }
        func snooze(_ number: Int, for seconds: Int, by actor: Actor) async throws -> Incident { incident }
    }

    @Test func thePagerDutyPageShowsTheLogEntriesAndLinksToPagerDuty() async throws {
        var incident = f.incident(7, title: "Checkout down", status: .acknowledged)
        incident.url = "https://acme.pagerduty.com/incidents/PT4KHLK"
        let catalog = ServiceIncidentCatalog(service: OneIncident(incident: incident), history: { _ in [
            IncidentHistoryEvent(at: PageFixtures.epoch.addingTimeInterval(60), actor: "Alice", kind: "acknowledge_log_entry",
                                 summary: "Acknowledged by Alice", channel: "api"),
            IncidentHistoryEvent(at: PageFixtures.epoch, actor: "Checkout", kind: "trigger_log_entry", summary: "Triggered through the API", channel: "api"),
        ] })
        #expect(catalog.linksToPlatform)
        let record = try #require(try await catalog.record(of: 7))
        #expect(record.events.map(\.summary) == ["Triggered through the API", "Acknowledged by Alice"])
        #expect(try await catalog.record(of: 8) == nil)
        let summary = IncidentSummary(record: record, chat: [f.line("on it, #7", at: 30, incident: 7)])
        let html = PageRenderer().incident(identity: "irc:libera/alice", summary: summary, externalURL: incident.url)
        #expect(html.contains("href=\"https://acme.pagerduty.com/incidents/PT4KHLK\""))
        let trigger = try #require(html.range(of: "Triggered through the API"))
        let chat = try #require(html.range(of: "on it, #7"))
        let ack = try #require(html.range(of: "Acknowledged by Alice"))
        #expect(trigger.lowerBound < chat.lowerBound && chat.lowerBound < ack.lowerBound)
        #expect(html.contains("via api"))
    }

    @Test func theRecordersActivityCheckIsOneIncidentReadNotAWholeRecord() async throws {
        var resolved = f.incident(7, status: .resolved)
        resolved.updatedAt = PageFixtures.epoch.addingTimeInterval(600)
        let incident = resolved
        let reads = Mutex<[Int]>([])
        let catalog = ServiceIncidentCatalog(service: OneIncident(incident: incident), history: { _ in
            Issue.record("the history was read for an activity check")
            return []
        }, current: { number in
            reads.withLock { $0.append(number) }
            guard number == 7 else { throw IncidentServiceError.notFound(number: number) }
            return incident
        })
        #expect(try await catalog.activity(of: 7) == IncidentActivity(isResolved: true, resolvedAt: incident.updatedAt))
        #expect(try await catalog.activity(of: 8) == nil)
        #expect(reads.withLock { $0 } == [7, 8])
        // Without a one-incident read it falls back to the whole record.
        let whole = ServiceIncidentCatalog(service: OneIncident(incident: f.incident(7, status: .acknowledged)))
        #expect(try await whole.activity(of: 7) == .open)
    }
}
