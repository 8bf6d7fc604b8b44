import Foundation
import GRDB
import Testing
@testable import TocsinStorage

/// Checkpoints leave the commit path (issue 11: the own share's p99 was the commit that ran
/// SQLite's automatic checkpoint), and the WAL stays bounded anyway.
@Suite("WAL checkpoints off the commit path")
struct WALCheckpointerTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-wal-\(UUID().uuidString)/tocsin.sqlite").path
    }

    @Test func belowTheThresholdACommitNeitherCheckpointsNorSchedules() {
        let checkpointer = WALCheckpointer(path: temporaryPath())
        #expect(checkpointer.committed(walPages: WALCheckpointer.threshold - 1) == false)
        #expect(checkpointer.checkpoints == 0)
    }

    @Test func pastTheThresholdTheCheckpointRunsInTheBackgroundNotInTheCommit() async throws {
        let path = temporaryPath()
        let pool = try TocsinDatabase.open(path: path)
        try await pool.write { try $0.execute(sql: "CREATE TABLE t (x)") }
        let checkpointer = WALCheckpointer(path: path)
        #expect(checkpointer.committed(walPages: WALCheckpointer.threshold) == false, "the commit does not checkpoint itself")
        let deadline = ContinuousClock.now + .seconds(30)
        while checkpointer.checkpoints == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(checkpointer.checkpoints == 1)
    }

    @Test func aWALFarPastTheThresholdIsCheckpointedInlineAsSQLiteWould() {
        let checkpointer = WALCheckpointer(path: temporaryPath())
        #expect(checkpointer.committed(walPages: WALCheckpointer.inlineLimit))
    }

    @Test func theWALStaysBoundedOverManyCommits() async throws {
        let path = temporaryPath()
        let pool = try TocsinDatabase.open(path: path)
        try await pool.write { try $0.execute(sql: "CREATE TABLE t (x TEXT)") }
        let row = String(repeating: "x", count: 3_000)
        // A steady stream, one page or more per commit: 16,000+ pages if nothing checkpointed.
        for _ in 0..<16_000 {
            try await pool.write { try $0.execute(sql: "INSERT INTO t VALUES (?)", arguments: [row]) }
        }
        // The WAL file keeps its largest size (SQLite reuses it from the start after a restart).
        let walBytes = (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        let pageSize = try await pool.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } ?? 4_096
        // Past inlineLimit the commit checkpoints itself; while a background checkpoint still runs
        // (a loaded machine) that one is busy and the WAL grows a little further.
        let bound = 2 * Int(WALCheckpointer.inlineLimit) * (pageSize + 24)
        #expect(walBytes > 0 && walBytes < bound, "WAL of \(walBytes) bytes, bound \(bound)")
    }
}
