import GRDB

/// The embedded store's tables, all prefixed `incident_` so they sit beside the outbox's in one file.
///
/// Migration identifiers are prefixed too: GRDB records applied migrations of every migrator in the
/// shared `grdb_migrations` table and ignores identifiers it does not know, so this migrator and the
/// outbox's run in either order on the same database.
enum IncidentSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("incident_v1") { db in
            // AUTOINCREMENT: a number is never handed out twice, even if rows are ever deleted.
            try db.execute(sql: """
                CREATE TABLE incident_incidents (
                    number INTEGER PRIMARY KEY AUTOINCREMENT,
                    service TEXT NOT NULL,
                    team TEXT,
                    title TEXT NOT NULL,
                    urgency TEXT NOT NULL,
                    severity TEXT,
                    status TEXT NOT NULL CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
                    assignee TEXT,
                    escalationLevel INTEGER NOT NULL DEFAULT 1,
                    dedupKey TEXT,
                    source TEXT,
                    component TEXT,
                    createdAt DATETIME NOT NULL,
                    updatedAt DATETIME NOT NULL,
                    snoozedUntil DATETIME
                );
                -- Events API v2: a dedup key names at most one open incident; a resolved one frees it.
                CREATE UNIQUE INDEX incident_incidents_open_dedup
                    ON incident_incidents(dedupKey) WHERE dedupKey IS NOT NULL AND status != 'resolved';
                CREATE INDEX incident_incidents_open
                    ON incident_incidents(number) WHERE status != 'resolved';

                CREATE TABLE incident_notes (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    incidentNumber INTEGER NOT NULL REFERENCES incident_incidents(number) ON DELETE CASCADE,
                    author TEXT NOT NULL,
                    content TEXT NOT NULL,
                    createdAt DATETIME NOT NULL
                );
                CREATE INDEX incident_notes_incident ON incident_notes(incidentNumber, id);

                CREATE TABLE incident_timeline (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    incidentNumber INTEGER NOT NULL REFERENCES incident_incidents(number) ON DELETE CASCADE,
                    at DATETIME NOT NULL,
                    actor TEXT,
                    kind TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    detail TEXT
                );
                CREATE INDEX incident_timeline_incident ON incident_timeline(incidentNumber, id);
                """)
        }
        migrator.registerMigration("incident_v2_epoch_dates") { db in
            // Dates become seconds since 1970 (REAL), written without any date formatter (issue 11).
            // Rows written before hold GRDB's "yyyy-MM-dd HH:mm:ss.SSS" UTC text.
            let columns = [("incident_incidents", ["createdAt", "updatedAt", "snoozedUntil"]),
                           ("incident_notes", ["createdAt"]), ("incident_timeline", ["at"])]
            for (table, names) in columns {
                for column in names {
                    try db.execute(sql: """
                        UPDATE \(table) SET \(column) = (julianday(\(column)) - 2440587.5) * 86400.0 WHERE typeof(\(column)) = 'text'
                        """)
                }
            }
        }
        return migrator
    }
}
