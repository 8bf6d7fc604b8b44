import Foundation
import GRDB
import Testing
import TocsinStorage

@Suite struct TocsinDatabaseTests {
    @Test func openNamesThePathWhenItFails() throws {
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(at: directory.url, withIntermediateDirectories: true)
        let blocker = directory.path("not-a-directory")
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
        let path = blocker + "/tocsin.sqlite"

        do {
            _ = try TocsinDatabase.open(path: path)
            Issue.record("opening below a regular file should fail")
        } catch let error as TocsinDatabaseError {
            #expect(error.description.contains(path))
        }
    }

    /// The database holds chat lines and identity mappings: nobody but the owner may read it,
    /// even when the process runs with a permissive umask.
    @Test func createsTheDirectoryAndFileForTheOwnerOnly() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("state/tocsin.sqlite")
        let previous = umask(0o022)
        defer { umask(previous) }

        let pool = try TocsinDatabase.open(path: path)
        try pool.write { db in try db.execute(sql: "CREATE TABLE t (x)") }

        #expect(try permissions(of: directory.path("state")) == 0o700)
        #expect(try permissions(of: path) == 0o600)
        #expect(try permissions(of: path + "-wal") == 0o600)
    }

    private func permissions(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}

/// A directory removed when the test is done with it.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-storage-tests-\(UUID().uuidString)")
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
