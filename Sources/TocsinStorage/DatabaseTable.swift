import GRDB

/// One of Tocsin's tables in the shared database file, created or migrated when it is opened.
///
/// Every table has its own migrator whose identifiers start with the table's name, so they all run
/// beside each other on the one file (GRDB ignores identifiers a migrator does not know).
protocol DatabaseTable {
    /// Migration identifier → SQL, oldest first.
    static var migrations: KeyValuePairs<String, String> { get }
}

extension DatabaseTable {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (identifier, sql) in migrations {
            migrator.registerMigration(identifier) { db in try db.execute(sql: sql) }
        }
        return migrator
    }

    /// Creates or migrates the table on `database` (usually the pool from
    /// ``TocsinDatabase/open(path:)``, shared with the outbox and the incident store).
    static func migrate(_ database: any DatabaseWriter) throws {
        try migrator.migrate(database)
    }
}
