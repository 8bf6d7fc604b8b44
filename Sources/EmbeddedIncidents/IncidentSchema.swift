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
        return migrator
    }
}
