import Foundation
import GRDB
import Testing
import TocsinStorage

@Suite struct STSPolicyTableTests {
    @Test func aStoredPolicySurvivesReopeningTheDatabase() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("tocsin.sqlite")
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        do {
            let table = try STSPolicyTable(database: try TocsinDatabase.open(path: path))
            try await table.saveSTSPolicy(host: "IRC.Example.org", port: 6697, expires: now.addingTimeInterval(3600))
        }
        let reopened = try STSPolicyTable(database: try TocsinDatabase.open(path: path))
        #expect(try await reopened.stsPort(host: "irc.example.org", now: now) == 6697)
        #expect(try await reopened.stsPort(host: "other.example.org", now: now) == nil)
    }

    @Test func anExpiredPolicyNoLongerHolds() async throws {
        let table = try STSPolicyTable(database: DatabaseQueue())
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await table.saveSTSPolicy(host: "irc.example.org", port: 6697, expires: now.addingTimeInterval(10))
        #expect(try await table.stsPort(host: "irc.example.org", now: now.addingTimeInterval(9)) == 6697)
        #expect(try await table.stsPort(host: "irc.example.org", now: now.addingTimeInterval(10)) == nil)
    }

    @Test func aRefreshReplacesPortAndExpiryAndRemoveForgets() async throws {
        let table = try STSPolicyTable(database: DatabaseQueue())
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try await table.saveSTSPolicy(host: "irc.example.org", port: 6697, expires: now.addingTimeInterval(10))
        try await table.saveSTSPolicy(host: "irc.example.org", port: 7000, expires: now.addingTimeInterval(100))
        #expect(try await table.stsPort(host: "irc.example.org", now: now.addingTimeInterval(50)) == 7000)
        try await table.removeSTSPolicy(host: "IRC.example.org")
        #expect(try await table.stsPort(host: "irc.example.org", now: now) == nil)
    }
}
