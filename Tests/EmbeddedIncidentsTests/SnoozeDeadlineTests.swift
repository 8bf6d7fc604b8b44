import EmbeddedIncidents
import Foundation
import Testing
import TocsinCore

/// The snooze-expiry task sleeps until `nextSnoozeEnd()` instead of polling: it must name exactly
/// the time `wakeExpiredSnoozes()` starts re-triggering, and nothing when no snooze is pending.
@Suite struct SnoozeDeadlineTests {
    @Test func nextSnoozeEndIsTheEarliestPendingSnoozeOfAnAcknowledgedIncident() async throws {
        let harness = try StoreHarness()
        #expect(try await harness.store.nextSnoozeEnd() == nil, "no incident")
        try await harness.trigger("one")
        try await harness.trigger("two")
        try await harness.trigger("three")
        _ = try await harness.store.acknowledge([1, 2, 3], by: Fixture.aliceActor)
        #expect(try await harness.store.nextSnoozeEnd() == nil, "acknowledged, none snoozed")

        _ = try await harness.store.snooze(1, for: 3600, by: Fixture.aliceActor)
        _ = try await harness.store.snooze(2, for: 600, by: Fixture.aliceActor)
        #expect(try await harness.store.nextSnoozeEnd() == Fixture.epoch.addingTimeInterval(600))

        _ = try await harness.store.resolve([2], by: Fixture.aliceActor)
        #expect(try await harness.store.nextSnoozeEnd() == Fixture.epoch.addingTimeInterval(3600), "a resolved incident's snooze is over")
    }

    @Test func nextSnoozeEndIsWhenWakeExpiredSnoozesRetriggersAndNilAfterwards() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        _ = try await harness.store.acknowledge([1], by: Fixture.aliceActor)
        _ = try await harness.store.snooze(1, for: 1800, by: Fixture.aliceActor)
        let end = try #require(try await harness.store.nextSnoozeEnd())

        harness.clock.advance(by: end.timeIntervalSince(harness.clock.now) - 1)
        #expect(try await harness.store.wakeExpiredSnoozes().isEmpty, "one second before the deadline")
        harness.clock.advance(by: 1)
        #expect(try await harness.store.wakeExpiredSnoozes().map(\.number) == [1], "at the deadline")
        #expect(try await harness.store.nextSnoozeEnd() == nil)
    }
}
