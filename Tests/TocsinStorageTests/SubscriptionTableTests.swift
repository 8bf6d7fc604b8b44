import Foundation
import GRDB
import Testing
import TocsinStorage

@Suite struct SubscriptionTableTests {
    static let row = SubscriptionTable.Row(
        key: "libera\u{1F}#team\u{1F}api\u{1F}*\u{1F}high\u{1F}*\u{1F}resolved,triggered", network: "libera", room: "#team",
        services: ["api"], urgencies: ["high"], kinds: ["resolved", "triggered"], addedBy: "alice",
        createdAt: Date(timeIntervalSince1970: 1_800_000_000))

    @Test func aSubscriptionSurvivesReopeningTheDatabase() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("tocsin.sqlite")
        do {
            let table = try SubscriptionTable(database: try TocsinDatabase.open(path: path))
            #expect(try await table.insert(Self.row))
        }
        let reopened = try SubscriptionTable(database: try TocsinDatabase.open(path: path))
        #expect(try await reopened.all() == [Self.row])
    }

    @Test func theSameKeyIsStoredOnceAndDeleteForgetsIt() async throws {
        let table = try SubscriptionTable(database: DatabaseQueue())
        #expect(try await table.insert(Self.row))
        #expect(try await table.insert(Self.row) == false)
        var other = Self.row
        other.key = "libera\u{1F}#team\u{1F}*"
        other.services = nil
        other.teams = []
        #expect(try await table.insert(other))
        #expect(try await table.all().map(\.key) == [Self.row.key, other.key])
        #expect(try await table.all().last?.services == nil)
        #expect(try await table.all().last?.teams == [])
        #expect(try await table.delete(key: Self.row.key))
        #expect(try await table.delete(key: Self.row.key) == false)
        #expect(try await table.all().map(\.key) == [other.key])
    }
}
