import Foundation
import GRDB
import Testing
import TocsinStorage

@Suite struct SeenWebhookEventTableTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aRecordedIdSurvivesReopeningTheDatabase() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("tocsin.sqlite")
        do {
            let table = try SeenWebhookEventTable(database: try TocsinDatabase.open(path: path))
            try await table.record("01EVENT", expiresAt: now.addingTimeInterval(72 * 3600))
        }
        let reopened = try SeenWebhookEventTable(database: try TocsinDatabase.open(path: path))
        #expect(try await reopened.contains("01EVENT", now: now))
        #expect(try await !reopened.contains("01OTHER", now: now))
    }

    @Test func anIdIsForgottenOnceItsTimeIsUp() async throws {
        let table = try SeenWebhookEventTable(database: DatabaseQueue())
        try await table.record("01EVENT", expiresAt: now.addingTimeInterval(10))
        #expect(try await table.contains("01EVENT", now: now.addingTimeInterval(9)))
        #expect(try await !table.contains("01EVENT", now: now.addingTimeInterval(10)))
    }

    @Test func recordingAgainNeverShortensTheExpiry() async throws {
        let table = try SeenWebhookEventTable(database: DatabaseQueue())
        let later = Date().addingTimeInterval(3600)
        try await table.record("01EVENT", expiresAt: later)
        try await table.record("01EVENT", expiresAt: later.addingTimeInterval(-1800))
        #expect(try await table.contains("01EVENT", now: later.addingTimeInterval(-1)))
        #expect(try await table.count() == 1)
    }

    @Test func expiredIdsAreDroppedWhenTheNextOneIsRecorded() async throws {
        let table = try SeenWebhookEventTable(database: DatabaseQueue())
        try await table.record("01OLD", expiresAt: Date().addingTimeInterval(-1))
        try await table.record("01NEW", expiresAt: Date().addingTimeInterval(3600))
        #expect(try await table.count() == 1)
    }
}
