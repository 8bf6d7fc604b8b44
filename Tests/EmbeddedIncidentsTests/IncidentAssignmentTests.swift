import EmbeddedIncidents
import Foundation
import Testing
import TocsinCore

@Suite("Reassign, escalate and snooze")
struct IncidentAssignmentTests {
    @Test func reassignFindsUsersByEmailOrCaseInsensitiveName() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()

        let byEmail = try await harness.store.reassign(1, to: "BOB@example.com", by: Fixture.aliceActor)
        #expect(byEmail.assignee == Fixture.bob.email)

        let byName = try await harness.store.reassign(1, to: "alice liddell", by: Fixture.bobActor)
        #expect(byName.assignee == Fixture.alice.email)
    }

    @Test func reassignToUnknownUserFails() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        await #expect(throws: IncidentServiceError.unknownUser("zed")) {
            try await harness.store.reassign(1, to: "zed", by: Fixture.aliceActor)
        }
    }

    @Test func reassignPutsAcknowledgedIncidentBackToTriggered() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        _ = try await harness.store.acknowledge([1], by: Fixture.aliceActor)

        let incident = try await harness.store.reassign(1, to: "carol", by: Fixture.aliceActor)

        #expect(incident.status == .triggered, "the new assignee has not acknowledged it")
        #expect(incident.assignee == Fixture.carol.email)
    }

    @Test func reassignToCurrentAssigneeChangesNothing() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        _ = try await harness.store.reassign(1, to: "bob", by: Fixture.aliceActor)
        _ = try await harness.store.reassign(1, to: "bob@example.com", by: Fixture.aliceActor)
        #expect(await harness.sink.kinds == [.triggered, .reassigned])
    }

    @Test func reassignOfResolvedIncidentIsInvalid() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        _ = try await harness.store.resolve([1], by: Fixture.aliceActor)
        await #expect(throws: IncidentServiceError.invalidTransition(number: 1, from: .resolved, to: "reassign")) {
            try await harness.store.reassign(1, to: "bob", by: Fixture.aliceActor)
        }
    }

    @Test func escalateMovesToNextLevelAndItsOnCall() async throws {
        let harness = try StoreHarness()
        let opened = try await harness.trigger(service: "api")
        #expect(opened.assignee == Fixture.alice.email)

        let second = try await harness.store.escalate(1, toLevel: nil, by: Fixture.aliceActor)
        #expect(second.escalationLevel == 2)
        #expect(second.assignee == Fixture.carol.email)

        let third = try await harness.store.escalate(1, toLevel: nil, by: Fixture.aliceActor)
        #expect(third.escalationLevel == 3)
        #expect(third.assignee == Fixture.dave.email)
    }

    @Test func escalateToGivenLevelPicksThatLevelsCurrentOnCall() async throws {
        let harness = try StoreHarness()
        harness.clock.advance(by: 8 * 3600)
        let opened = try await harness.trigger(service: "api")
        #expect(opened.assignee == Fixture.bob.email, "second shift of level 1")

        let incident = try await harness.store.escalate(1, toLevel: 3, by: Fixture.aliceActor)
        #expect(incident.escalationLevel == 3)
        #expect(incident.assignee == Fixture.dave.email)

        let back = try await harness.store.escalate(1, toLevel: 1, by: Fixture.aliceActor)
        #expect(back.assignee == Fixture.bob.email)
    }

    @Test func escalateBeyondTheSchedulesLevelsIsRefused() async throws {
        let harness = try StoreHarness()
        try await harness.trigger(service: "api")
        await #expect(throws: IncidentServiceError.invalidArgument("schedule API has 3 escalation levels; #1 cannot go to level 4")) {
            try await harness.store.escalate(1, toLevel: 4, by: Fixture.aliceActor)
        }
        await #expect(throws: IncidentServiceError.invalidArgument("escalation levels start at 1")) {
            try await harness.store.escalate(1, toLevel: 0, by: Fixture.aliceActor)
        }
    }

    @Test func escalateWithoutScheduleOnlyRaisesTheLevel() async throws {
        let harness = try StoreHarness()
        try await harness.trigger(service: "web")
        _ = try await harness.store.reassign(1, to: "bob", by: Fixture.aliceActor)
        let incident = try await harness.store.escalate(1, toLevel: 5, by: Fixture.aliceActor)
        #expect(incident.escalationLevel == 5)
        #expect(incident.assignee == Fixture.bob.email)
    }

    @Test func escalateRetriggersAcknowledgedAndRefusesResolved() async throws {
        let harness = try StoreHarness()
        try await harness.trigger(service: "api")
        _ = try await harness.store.acknowledge([1], by: Fixture.aliceActor)
        let escalated = try await harness.store.escalate(1, toLevel: nil, by: Fixture.aliceActor)
        #expect(escalated.status == .triggered)

        _ = try await harness.store.resolve([1], by: Fixture.aliceActor)
        await #expect(throws: IncidentServiceError.invalidTransition(number: 1, from: .resolved, to: "escalate")) {
            try await harness.store.escalate(1, toLevel: nil, by: Fixture.aliceActor)
        }
    }

    @Test func snoozeOnlyAcknowledgedIncidents() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        await #expect(throws: IncidentServiceError.invalidTransition(number: 1, from: .triggered, to: "snooze")) {
            try await harness.store.snooze(1, for: 1800, by: Fixture.aliceActor)
        }
        _ = try await harness.store.acknowledge([1], by: Fixture.aliceActor)

        let snoozed = try await harness.store.snooze(1, for: 1800, by: Fixture.aliceActor)

        #expect(snoozed.status == .acknowledged)
        #expect(snoozed.snoozedUntil == Fixture.epoch.addingTimeInterval(1800))
        _ = try await harness.store.resolve([1], by: Fixture.aliceActor)
        await #expect(throws: IncidentServiceError.invalidTransition(number: 1, from: .resolved, to: "snooze")) {
            try await harness.store.snooze(1, for: 1800, by: Fixture.aliceActor)
        }
    }

    @Test func snoozeDurationMustBeWithinAWeek() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        _ = try await harness.store.acknowledge([1], by: Fixture.aliceActor)
        await #expect(throws: IncidentServiceError.self) {
            try await harness.store.snooze(1, for: 0, by: Fixture.aliceActor)
        }
        await #expect(throws: IncidentServiceError.self) {
            try await harness.store.snooze(1, for: SnoozeDuration.maximumSeconds + 1, by: Fixture.aliceActor)
        }
    }

    @Test func expiredSnoozeTriggersTheIncidentAgain() async throws {
        let harness = try StoreHarness()
        try await harness.trigger()
        _ = try await harness.store.acknowledge([1], by: Fixture.aliceActor)
        _ = try await harness.store.snooze(1, for: 1800, by: Fixture.aliceActor)

        harness.clock.advance(by: 1799)
        #expect(try await harness.store.wakeExpiredSnoozes().isEmpty)

        harness.clock.advance(by: 1)
        let woken = try await harness.store.wakeExpiredSnoozes()

        #expect(woken.map(\.number) == [1])
        #expect(woken.first?.status == .triggered)
        #expect(woken.first?.snoozedUntil == nil)
        let last = try #require(await harness.sink.events.last)
        #expect(last.kind == .unacknowledged)
        #expect(last.actor == nil)
        #expect(try await harness.store.wakeExpiredSnoozes().isEmpty, "woken once")
    }
}

@Suite("On-call rotations")
struct OnCallTests {
    @Test func levelsRotateInShiftsFromTheStart() async throws {
        let harness = try StoreHarness()
        let start = Fixture.epoch
        let hours: (Double) -> Date = { start.addingTimeInterval($0 * 3600) }

        var entries = try await harness.store.onCall(name: "api")
        #expect(entries == [
            OnCallEntry(scope: "API", user: "Alice Liddell", email: Fixture.alice.email, escalationLevel: 1, until: hours(8)),
            OnCallEntry(scope: "API", user: "Carol", email: Fixture.carol.email, escalationLevel: 2, until: hours(8)),
            OnCallEntry(scope: "API", user: "Dave", email: Fixture.dave.email, escalationLevel: 3, until: hours(8)),
        ])

        harness.clock.advance(by: 8 * 3600)
        entries = try await harness.store.onCall(name: "API")
        #expect(entries.first?.email == Fixture.bob.email)
        #expect(entries.first?.until == hours(16))

        harness.clock.advance(by: 8 * 3600 - 1)
        #expect(try await harness.store.onCall(name: "api").first?.email == Fixture.bob.email, "last second of Bob's shift")

        harness.clock.advance(by: 1)
        #expect(try await harness.store.onCall(name: "api").first?.email == Fixture.alice.email, "wraps around")
    }

    @Test func rotationIsDefinedBeforeTheStart() async throws {
        let harness = try StoreHarness(clock: TestClock(Fixture.epoch.addingTimeInterval(-1)))
        let entry = try #require(try await harness.store.onCall(name: "primary").first)
        #expect(entry.email == Fixture.carol.email, "the shift before the first is the last user's")
        #expect(entry.until == Fixture.epoch)
    }

    @Test func threeUserRotationPicksTheRightShift() async throws {
        let harness = try StoreHarness(clock: TestClock(Fixture.epoch.addingTimeInterval(2.5 * 3600)))
        let entry = try #require(try await harness.store.onCall(name: "primary").first)
        #expect(entry.email == Fixture.carol.email)
        #expect(entry.until == Fixture.epoch.addingTimeInterval(3 * 3600))
        harness.clock.advance(by: 1800 + 24 * 3600)
        #expect(try await harness.store.onCall(name: "primary").first?.email == Fixture.alice.email)
    }

    @Test func withoutANameEverySchedulesLevelsAreListed() async throws {
        let harness = try StoreHarness()
        let entries = try await harness.store.onCall(name: nil)
        #expect(entries.map(\.scope) == ["API", "API", "API", "primary"])
        #expect(entries.map(\.escalationLevel) == [1, 2, 3, 1])
    }

    @Test func unknownScheduleNameFails() async throws {
        let harness = try StoreHarness()
        await #expect(throws: IncidentServiceError.unknownOnCallScope("night")) {
            try await harness.store.onCall(name: "night")
        }
    }

    @Test func emailsWithoutAConfiguredUserAreShownAsIs() async throws {
        let schedule = EmbeddedOnCallSchedule(name: "ext", levels: [["ext@vendor.example"]], shiftSeconds: 60, start: Fixture.epoch)
        let harness = try StoreHarness(schedules: [schedule])
        #expect(try await harness.store.onCall(name: nil) == [
            OnCallEntry(scope: "ext", user: "ext@vendor.example", email: "ext@vendor.example", escalationLevel: 1,
                        until: Fixture.epoch.addingTimeInterval(60)),
        ])
    }
}
