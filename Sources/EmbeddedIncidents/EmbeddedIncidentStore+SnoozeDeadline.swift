import Foundation
import GRDB
import TocsinCore

extension EmbeddedIncidentStore {
    /// When the next snooze ends: the earliest `snoozedUntil` of an acknowledged incident (the rows
    /// ``wakeExpiredSnoozes()`` re-triggers once that time has passed), or nil when none is snoozed.
    /// The gateway sleeps until then instead of polling, and not at all while nothing is snoozed
    /// (issue 11, item 4).
    public func nextSnoozeEnd() async throws -> Date? {
        try await database.read { db in
            try Double.fetchOne(
                db,
                sql: "SELECT MIN(snoozedUntil) FROM incident_incidents WHERE status = ? AND snoozedUntil IS NOT NULL",
                arguments: [IncidentStatus.acknowledged.rawValue]
            ).map { Date(timeIntervalSince1970: $0) }
        }
    }
}
