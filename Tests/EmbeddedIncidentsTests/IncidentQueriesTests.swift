import EmbeddedIncidents
import Foundation
import GRDB
import Testing
import TocsinCore

/// The embedded store's reads for issue 12: counted lists, per-person lists, who changed what when.
@Suite struct IncidentQueriesTests {
    @Test func openIncidentsAreCountedAndListedNewestFirst() async throws {
        let harness = try StoreHarness()
        for n in 1...10 { try await harness.trigger("incident \(n)") }
        _ = try await harness.store.resolve([1], by: Fixture.aliceActor)
        let list = try await harness.store.incidents(in: [.triggered, .acknowledged], assignedTo: nil, limit: 4)
        #expect(list.total == 9)
        #expect(list.more)
        #expect(list.incidents.map(\.number) == [10, 9, 8, 7])
    }

    @Test func mineMeansAssignedToMeWhateverTheCaseOfTheEmail() async throws {
        let harness = try StoreHarness()
        try await harness.trigger("on web")                       // #1, nobody on call for web
        try await harness.trigger("on api", service: "api")       // #2, level 1 of the API schedule: Alice at the epoch
        try await harness.trigger("on api too", service: "api")   // #3
        _ = try await harness.store.acknowledge([3], by: Fixture.aliceActor)
        let mine = try await harness.store.incidents(in: [.triggered], assignedTo: Actor(email: "ALICE@example.com"), limit: 20)
        #expect(mine.incidents.map(\.number) == [2])
        #expect(mine.total == 1)
        let open = try await harness.store.incidents(in: [.triggered, .acknowledged], assignedTo: Fixture.aliceActor, limit: 20)
        #expect(open.incidents.map(\.number) == [3, 2])
        #expect(try await harness.store.incidents(in: [.triggered], assignedTo: Fixture.bobActor, limit: 20).incidents.isEmpty)
    }

    @Test func lastChangeSaysWhoAcknowledgedAndWhen() async throws {
        let clock = TestClock()
        let harness = try StoreHarness(clock: clock)
        try await harness.trigger()
        #expect(try await harness.store.lastChange(of: 1, to: .acknowledged) == nil)
        clock.advance(by: 60)
        _ = try await harness.store.acknowledge([1], by: Fixture.bobActor)
        let record = try await harness.store.lastChange(of: 1, to: .acknowledged)
        #expect(record == IncidentChangeRecord(actor: Fixture.bob.email, at: Fixture.epoch.addingTimeInterval(60)))
    }
}
