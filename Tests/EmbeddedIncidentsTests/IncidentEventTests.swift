import EmbeddedIncidents
import Foundation
import Testing
import TocsinCore

@Suite("Events published per change")
struct IncidentEventTests {
    @Test func everyChangePublishesOneEventWithKindActorAndDetail() async throws {
        let harness = try StoreHarness()
        try await harness.trigger(service: "api")
        _ = try await harness.store.acknowledge([1], by: Fixture.bobActor)
        _ = try await harness.store.addNote(to: 1, content: "rolling back", by: Fixture.bobActor)
        _ = try await harness.store.snooze(1, for: 1800, by: Fixture.bobActor)
        _ = try await harness.store.reassign(1, to: "Carol", by: Fixture.aliceActor)
        _ = try await harness.store.escalate(1, toLevel: 3, by: Fixture.aliceActor)
        _ = try await harness.store.resolve([1], by: Fixture.bobActor)

        let events = await harness.sink.events
        #expect(events.map(\.kind) == [.triggered, .acknowledged, .annotated, .snoozed, .reassigned, .escalated, .resolved])
        #expect(events.map(\.actor) == [Fixture.alice.email, Fixture.bob.email, Fixture.bob.email, Fixture.bob.email,
                                         Fixture.alice.email, Fixture.alice.email, Fixture.bob.email])
        #expect(events[2].detail == "rolling back")
        #expect(events[3].detail == "30m")
        #expect(events[4].detail == Fixture.carol.email)
        #expect(events[5].incident.escalationLevel == 3)
        #expect(events[6].incident.status == .resolved)
        #expect(events.allSatisfy { $0.incident.number == 1 })
    }

    /// What a crash between the store's commit and the outbox would lose can be replayed with the
    /// same ids (the outbox then keeps each once), kinds, actors and details.
    @Test func recordedEventsReplayWhatWasPublishedInAWindow() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        harness.clock.advance(by: 600)
        let windowStart = harness.clock.now
        _ = try await harness.store.acknowledge([1], by: Fixture.bobActor)
        _ = try await harness.store.addNote(to: 1, content: "rolling back", by: Fixture.bobActor)

        let published = await harness.sink.events
        let replayed = try await harness.store.recordedEvents(since: windowStart)
        #expect(replayed.map(\.id) == published.suffix(2).map(\.id))
        #expect(replayed.map(\.kind) == [.acknowledged, .annotated])
        #expect(replayed.map(\.actor) == [Fixture.bob.email, Fixture.bob.email])
        #expect(replayed.last?.detail == "rolling back")
        #expect(try await harness.store.recordedEvents(since: harness.clock.now.addingTimeInterval(1)).isEmpty)
    }

    @Test func eventIDsNameTheTimelineRowAndAreUnique() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        try await harness.trigger()
        _ = try await harness.store.acknowledge([1, 2], by: Fixture.aliceActor)

        let ids = await harness.sink.events.map(\.id)
        #expect(ids == ["embedded-1", "embedded-2", "embedded-3", "embedded-4"])
    }

    @Test func eventCarriesTheIncidentAfterTheChange() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        harness.clock.advance(by: 90)
        _ = try await harness.store.acknowledge([1], by: Fixture.aliceActor)

        let event = try #require(await harness.sink.events.last)
        #expect(event.incident.status == .acknowledged)
        #expect(event.occurredAt == Fixture.epoch.addingTimeInterval(90))
        #expect(event.incident.updatedAt == event.occurredAt)
    }

    @Test func failedChangesPublishNothing() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        _ = try await harness.store.resolve([1], by: Fixture.aliceActor)
        _ = try await harness.store.acknowledge([1, 5], by: Fixture.aliceActor)
        _ = try? await harness.store.snooze(1, for: 60, by: Fixture.aliceActor)
        _ = try? await harness.store.reassign(1, to: "nobody", by: Fixture.aliceActor)
        #expect(await harness.sink.kinds == [.triggered, .resolved])
    }
}
