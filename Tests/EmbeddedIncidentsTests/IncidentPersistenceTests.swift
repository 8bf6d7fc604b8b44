import EmbeddedIncidents
import Foundation
import GRDB
import Testing
import TocsinCore
import TocsinStorage

@Suite("Storage")
struct IncidentPersistenceTests {
    @Test func fiftyConcurrentTriggersGetDistinctSequentialNumbers() async throws {
        let directory = TemporaryDirectory()
        let harness = try StoreHarness(database: try TocsinDatabase.open(path: directory.path("tocsin.sqlite")))

        let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<50 {
                group.addTask { try await harness.trigger("incident \(index)").number }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }

        #expect(numbers.sorted() == Array(1...50))
        let events = await harness.sink.events
        #expect(events.count == 50)
        #expect(Set(events.map(\.id)).count == 50)
    }

    @Test func concurrentTriggersWithOneKeyOpenOneIncident() async throws {
        let directory = TemporaryDirectory()
        let harness = try StoreHarness(database: try TocsinDatabase.open(path: directory.path("tocsin.sqlite")))
        let event = AlertEvent(service: "api", action: .trigger, dedupKey: "storm", summary: "flapping", severity: .warning)

        let outcomes = try await withThrowingTaskGroup(of: AlertEventOutcome.self) { group in
            for _ in 0..<20 { group.addTask { try await harness.store.enqueue(event) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }

        let opened = outcomes.filter { if case .opened = $0 { true } else { false } }
        #expect(opened.count == 1)
        #expect(try await harness.store.openIncidents(limit: 50).incidents.count == 1)
    }

    @Test func incidentsAndNumbersSurviveReopeningTheFile() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("state/tocsin.sqlite")
        do {
            let harness = try StoreHarness(database: try TocsinDatabase.open(path: path))
            try await harness.trigger("first")
            try await harness.trigger("second")
            _ = try await harness.store.addNote(to: 2, content: "kept", by: Fixture.aliceActor)
        }

        let reopened = try StoreHarness(database: try TocsinDatabase.open(path: path))
        let third = try await reopened.trigger("third")

        #expect(third.number == 3)
        #expect(try await reopened.store.details(of: 2).notes.map(\.content) == ["kept"])
        #expect(await reopened.sink.events.first?.id == "embedded-4", "timeline ids continue too")
    }

    @Test func migratingTwiceIsHarmless() async throws {
        let database = try DatabaseQueue()
        let first = try StoreHarness(database: database)
        try await first.trigger()
        let second = try StoreHarness(database: database)
        #expect(try await second.store.openIncidents(limit: 5).incidents.count == 1)
    }

    @Test func openUsesWALAndCreatesTheDirectory() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("nested/deeper/tocsin.sqlite")
        let pool = try TocsinDatabase.open(path: path)
        let mode = try pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func invalidConfigurationIsRejectedWithTheCulprit() throws {
        let sink = RecordingSink()
        #expect(throws: EmbeddedConfigurationError.duplicateService("API")) {
            try EmbeddedIncidentStore(database: DatabaseQueue(), services: [.init(name: "api", team: nil), .init(name: "API", team: nil)], events: sink)
        }
        let noShift = EmbeddedOnCallSchedule(name: "s", levels: [["a@example.com"]], shiftSeconds: 0, start: Fixture.epoch)
        #expect(throws: EmbeddedConfigurationError.invalidSchedule(name: "s", reason: "shiftSeconds must be positive")) {
            try EmbeddedIncidentStore(database: DatabaseQueue(), services: Fixture.services, schedules: [noShift], events: sink)
        }
        let emptyLevel = EmbeddedOnCallSchedule(name: "s", levels: [["a@example.com"], []], shiftSeconds: 60, start: Fixture.epoch)
        #expect(throws: EmbeddedConfigurationError.invalidSchedule(name: "s", reason: "level 2 has no users")) {
            try EmbeddedIncidentStore(database: DatabaseQueue(), services: Fixture.services, schedules: [emptyLevel], events: sink)
        }
    }

    @Test func incidentsLinkToTheConfiguredBase() async throws {
        let withBase = try StoreHarness(urlBase: "https://ops.example.com/tocsin")
        #expect(try await withBase.trigger().url == "https://ops.example.com/tocsin/incidents/1")
        let without = try StoreHarness()
        #expect(try await without.trigger().url == nil)
    }
}
