import Foundation
import GRDB
import Testing
import TocsinStorage

/// `writeInline` runs its own `BEGIN IMMEDIATE`/`COMMIT` from cached statements (not GRDB's
/// `inTransaction`): it must still be all-or-nothing and leave the connection usable.
@Suite struct InlineAccessTests {
    struct Boom: Error {}

    func makePool() throws -> (DatabasePool, TemporaryDirectory) {
        let directory = TemporaryDirectory()
        let pool = try TocsinDatabase.open(path: directory.path("tocsin.sqlite"))
        try pool.write { db in try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)") }
        return (pool, directory)
    }

    @Test func aThrownErrorRollsBackEveryStatementOfTheTransaction() throws {
        let (pool, directory) = try makePool()
        _ = directory
        #expect(throws: Boom.self) {
            try pool.writeInline { db in
                try db.execute(sql: "INSERT INTO t (v) VALUES ('first')")
                try db.execute(sql: "INSERT INTO t (v) VALUES ('second')")
                throw Boom()
            }
        }
        #expect(try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM t") } == 0)
        // The writer is back in autocommit and the cached BEGIN is reusable.
        try pool.writeInline { db in try db.execute(sql: "INSERT INTO t (v) VALUES ('third')") }
        #expect(try pool.read { try String.fetchAll($0, sql: "SELECT v FROM t") } == ["third"])
        #expect(try pool.writeWithoutTransaction { !$0.isInsideTransaction })
    }

    @Test func aFailingStatementRollsBackTheEarlierOnes() throws {
        let (pool, directory) = try makePool()
        _ = directory
        #expect(throws: DatabaseError.self) {
            try pool.writeInline { db in
                try db.execute(sql: "INSERT INTO t (v) VALUES ('kept only if all pass')")
                try db.execute(sql: "INSERT INTO t (v) VALUES (NULL)")  // NOT NULL constraint
            }
        }
        #expect(try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM t") } == 0)
    }

    @Test func committedWritesAreSeenByReadersAndReturnTheResult() throws {
        let (pool, directory) = try makePool()
        _ = directory
        let id = try pool.writeInline { db -> Int64 in
            try db.execute(sql: "INSERT INTO t (v) VALUES ('x')")
            return db.lastInsertedRowID
        }
        try pool.executeInline(sql: "UPDATE t SET v = ? WHERE id = ?", arguments: ["y", id])
        #expect(try pool.read { try String.fetchOne($0, sql: "SELECT v FROM t WHERE id = ?", arguments: [id]) } == "y")
    }
}
