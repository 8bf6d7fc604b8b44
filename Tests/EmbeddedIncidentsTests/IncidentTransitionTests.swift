import EmbeddedIncidents
import Foundation
import Testing
import TocsinCore

@Suite("Incident life cycle")
struct IncidentTransitionTests {
    @Test func triggerOpensHighUrgencyIncidentsWithSequentialNumbersAndEmbeddedIDs() async throws {
        let harness = try StoreHarness(urlBase: "https://tocsin.example.com/")
        let first = try await harness.trigger("Disk full", service: "WEB")
        let second = try await harness.trigger("Latency", service: "billing")

        #expect(first.number == 1)
        #expect(second.number == 2)
        #expect(first.id == "E00001")
        #expect(first.service == "web", "the configured spelling is kept")
        #expect(first.team == "frontend")
        #expect(second.service == "Billing")
        #expect(first.urgency == .high)
        #expect(first.severity == nil)
        #expect(first.status == .triggered)
        #expect(first.escalationLevel == 1)
        #expect(first.createdAt == Fixture.epoch)
        #expect(first.url == "https://tocsin.example.com/incidents/1")
    }

    @Test func triggerOnUnknownServiceFails() async throws {
        let harness = try StoreHarness()
        await #expect(throws: IncidentServiceError.unknownService("nope")) {
            try await harness.trigger(service: "nope")
        }
        #expect(await harness.sink.events.isEmpty)
    }

    @Test func triggerWithBlankSummaryIsRefused() async throws {
        let harness = try StoreHarness()
        await #expect(throws: IncidentServiceError.self) {
            try await harness.trigger("   ")
        }
    }

    @Test func triggerAssignsLevelOneOnCallOfTheScheduleNamedLikeTheService() async throws {
        let harness = try StoreHarness()
        let incident = try await harness.trigger(service: "api")
        #expect(incident.assignee == Fixture.alice.email)
        let unstaffed = try await harness.trigger(service: "web")
        #expect(unstaffed.assignee == nil)
    }

    @Test func acknowledgingTriggeredIncidentChangesIt() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        harness.clock.advance(by: 60)

        let outcomes = try await harness.store.acknowledge([1], by: Fixture.bobActor)

        let incident = try #require(outcomes.first?.changedIncident)
        #expect(incident.status == .acknowledged)
        #expect(incident.updatedAt == Fixture.epoch.addingTimeInterval(60))
        #expect(incident.createdAt == Fixture.epoch)
    }

    @Test func acknowledgingTwiceIsIdempotent() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        _ = try await harness.store.acknowledge([1], by: Fixture.aliceActor)

        let again = try await harness.store.acknowledge([1], by: Fixture.bobActor)

        guard case .unchanged(let incident) = again.first else {
            Issue.record("expected .unchanged, got \(again)")
            return
        }
        #expect(incident.status == .acknowledged)
        #expect(await harness.sink.kinds == [.triggered, .acknowledged], "no event for a no-op")
    }

    @Test func acknowledgingResolvedIncidentIsAClearInvalidTransition() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        _ = try await harness.store.resolve([1], by: Fixture.aliceActor)

        let outcomes = try await harness.store.acknowledge([1], by: Fixture.aliceActor)

        let expected = IncidentServiceError.invalidTransition(number: 1, from: .resolved, to: "acknowledge")
        #expect(outcomes == [.failed(number: 1, expected)])
        #expect(expected.description == "#1 is resolved, cannot acknowledge it")
    }

    @Test func resolvingResolvedIncidentIsUnchanged() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        _ = try await harness.store.resolve([1], by: Fixture.aliceActor)

        let outcomes = try await harness.store.resolve([1], by: Fixture.bobActor)

        guard case .unchanged(let incident) = outcomes.first else {
            Issue.record("expected .unchanged, got \(outcomes)")
            return
        }
        #expect(incident.status == .resolved)
        #expect(await harness.sink.kinds == [.triggered, .resolved])
    }

    @Test func resolvingTriggeredIncidentSkipsAcknowledgement() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        let outcomes = try await harness.store.resolve([1], by: Fixture.aliceActor)
        #expect(outcomes.first?.changedIncident?.status == .resolved)
    }

    @Test func unknownNumberFailsAsNotFound() async throws {
        let harness = try StoreHarness()
        let outcomes = try await harness.store.acknowledge([42], by: Fixture.aliceActor)
        #expect(outcomes == [.failed(number: 42, .notFound(number: 42))])
        await #expect(throws: IncidentServiceError.notFound(number: 42)) {
            try await harness.store.details(of: 42)
        }
    }

    @Test func multiNumberAckReportsEachOutcomeInOrder() async throws {
        let harness = try StoreHarness()
        for title in ["one", "two", "three"] { try await harness.trigger(title) }
        _ = try await harness.store.acknowledge([2], by: Fixture.aliceActor)
        _ = try await harness.store.resolve([3], by: Fixture.aliceActor)

        let outcomes = try await harness.store.acknowledge([1, 2, 3, 99], by: Fixture.bobActor)

        #expect(outcomes.map(\.number) == [1, 2, 3, 99])
        #expect(outcomes[0].changedIncident?.status == .acknowledged)
        guard case .unchanged = outcomes[1] else {
            Issue.record("#2 was already acknowledged: \(outcomes[1])")
            return
        }
        #expect(outcomes[2].error == .invalidTransition(number: 3, from: .resolved, to: "acknowledge"))
        #expect(outcomes[3].error == .notFound(number: 99))
    }

    @Test func notesAreAddedToOpenAndResolvedIncidents() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        _ = try await harness.store.addNote(to: 1, content: "  rolled back  ", by: Fixture.aliceActor)
        _ = try await harness.store.resolve([1], by: Fixture.aliceActor)
        harness.clock.advance(by: 3600)
        let incident = try await harness.store.addNote(to: 1, content: "post-mortem on Monday", by: Fixture.bobActor)

        #expect(incident.status == .resolved)
        let details = try await harness.store.details(of: 1)
        #expect(details.notes == [
            IncidentNote(author: Fixture.alice.email, content: "rolled back", createdAt: Fixture.epoch),
            IncidentNote(author: Fixture.bob.email, content: "post-mortem on Monday", createdAt: Fixture.epoch.addingTimeInterval(3600)),
        ])
    }

    @Test func emptyNoteIsRefusedAndNoteOnUnknownIncidentIsNotFound() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        await #expect(throws: IncidentServiceError.invalidArgument("a note needs some text")) {
            try await harness.store.addNote(to: 1, content: " \n", by: Fixture.aliceActor)
        }
        await #expect(throws: IncidentServiceError.notFound(number: 7)) {
            try await harness.store.addNote(to: 7, content: "hello", by: Fixture.aliceActor)
        }
    }

    @Test func timelineRecordsWhoDidWhatAndWhen() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        harness.clock.advance(by: 60)
        _ = try await harness.store.acknowledge([1], by: Fixture.bobActor)
        harness.clock.advance(by: 60)
        _ = try await harness.store.addNote(to: 1, content: "looking", by: Fixture.bobActor)
        harness.clock.advance(by: 60)
        _ = try await harness.store.resolve([1], by: Fixture.aliceActor)

        let timeline = try await harness.store.details(of: 1).timeline

        #expect(timeline == [
            TimelineEntry(at: Fixture.epoch, actor: Fixture.alice.email, summary: "Triggered from chat"),
            TimelineEntry(at: Fixture.epoch.addingTimeInterval(60), actor: Fixture.bob.email, summary: "Acknowledged"),
            TimelineEntry(at: Fixture.epoch.addingTimeInterval(120), actor: Fixture.bob.email, summary: "Added a note"),
            TimelineEntry(at: Fixture.epoch.addingTimeInterval(180), actor: Fixture.alice.email, summary: "Resolved"),
        ])
    }

    @Test func openIncidentsListsTriggeredAndAcknowledgedNewestFirst() async throws {
        let harness = try StoreHarness()
        for index in 1...5 { try await harness.trigger("incident \(index)") }
        _ = try await harness.store.acknowledge([2], by: Fixture.aliceActor)
        _ = try await harness.store.resolve([4], by: Fixture.aliceActor)

        let page = try await harness.store.openIncidents(limit: 10)
        #expect(page.incidents.map(\.number) == [5, 3, 2, 1])
        #expect(page.more == false)

        let cut = try await harness.store.openIncidents(limit: 2)
        #expect(cut.incidents.map(\.number) == [5, 3])
        #expect(cut.more)

        let exact = try await harness.store.openIncidents(limit: 4)
        #expect(exact.more == false)
    }

    @Test func supportsEveryCommand() throws {
        let harness = try StoreHarness()
        #expect(harness.store.supportedCommands == Set(CommandName.allCases))
    }
}
