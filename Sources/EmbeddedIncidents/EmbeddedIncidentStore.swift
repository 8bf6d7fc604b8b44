import DurableOutbox
import Foundation
import GRDB
import Logging
import TocsinCore
import TocsinStorage

/// The default ``IncidentService``: incidents kept in Tocsin's own SQLite database, so a team can
/// page and acknowledge from chat without any incident-platform account.
///
/// It mirrors PagerDuty's model (REST API v2 and Events API v2): sequential incident numbers that
/// people say (`!ack 12`) next to an opaque id (`E00012`), the triggered → acknowledged → resolved
/// life cycle, dedup keys that fold repeated alerts into one open incident, notes, escalation levels
/// staffed by on-call rotations, and snoozes of acknowledged incidents.
///
/// Every change is one database transaction that also appends a timeline row; once it has committed
/// the change is published to `events` as an ``IncidentEvent`` whose id is `embedded-<timeline row id>`.
/// GRDB serializes writers, so concurrent commands and alerts never hand out a number twice.
public final class EmbeddedIncidentStore: IncidentService, TransactionalCommandService, AlertEventIntake, Sendable {
    public let backendName = "the embedded store"
    public let supportedCommands = Set(CommandName.allCases)

    /// Events API v2 bounds (`dedup_key` ≤ 255, `payload.summary` ≤ 1024 characters).
    static let maximumDedupKeyLength = 255
    static let maximumTitleLength = 1024
    static let maximumNoteLength = 4096

    let database: any DatabaseWriter
    let directory: EmbeddedDirectory
    let urlBase: String?
    let events: any IncidentEventSink
    let now: @Sendable () -> Date
    let logger: Logger
    /// The outbox on this same database and how events are announced: set, `!ack`/`!resolve`
    /// commit their announcements and reply in the change's own transaction.
    let committing: (outbox: SQLiteOutbox, announcer: Announcer)?

    /// Checks the configuration and brings the `incident_` tables up to date.
    ///
    /// - Parameters:
    ///   - database: usually ``TocsinDatabase/open(path:)``; shared with the durable outbox.
    ///   - services: the only services incidents can be opened on.
    ///   - users: who incidents can be reassigned to.
    ///   - schedules: rotations for `!oncall`; one named like a service also staffs its escalation levels.
    ///   - incidentURLBase: when set, incidents link to `<base>/incidents/<number>`.
    ///   - events: receives one event per change, after the change is committed.
    ///   - outbox: the durable outbox, when it lives in `database`; with `announcer`, commands
    ///     commit their reply and announcements in the change's own transaction.
    public init(
        database: any DatabaseWriter, services: [EmbeddedService], users: [EmbeddedUser] = [],
        schedules: [EmbeddedOnCallSchedule] = [], incidentURLBase: String? = nil, events: any IncidentEventSink,
        outbox: SQLiteOutbox? = nil, announcer: Announcer? = nil,
        now: @Sendable @escaping () -> Date = Date.init, logger: Logger = Logger(label: "tocsin.embedded-incidents")
    ) throws {
        if let outbox, let announcer, outbox.shares(database) {
            committing = (outbox, announcer)
        } else {
            committing = nil
        }
        self.directory = try EmbeddedDirectory(services: services, users: users, schedules: schedules)
        self.database = database
        self.urlBase = incidentURLBase.map { base in
            var trimmed = Substring(base)
            while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
            return String(trimmed)
        }
        self.events = events
        self.now = now
        self.logger = logger
        try IncidentSchema.migrator.migrate(database)
    }

    // MARK: - State changes

    public func acknowledge(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome] {
        var outcomes: [TransitionOutcome] = []
        for number in numbers {
            outcomes.append(try await transition(number, to: .acknowledged, verb: "acknowledge", by: actor))
        }
        return outcomes
    }

    public func resolve(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome] {
        var outcomes: [TransitionOutcome] = []
        for number in numbers {
            outcomes.append(try await transition(number, to: .resolved, verb: "resolve", by: actor))
        }
        return outcomes
    }

    /// Notes go on any incident, resolved ones included (post-mortem remarks).
    public func addNote(to number: Int, content: String, by actor: Actor) async throws -> Incident {
        let text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw IncidentServiceError.invalidArgument("a note needs some text") }
        guard text.count <= Self.maximumNoteLength else {
            throw IncidentServiceError.invalidArgument("notes are limited to \(Self.maximumNoteLength) characters")
        }
        let at = now()
        let change = try await write { db in
            var row = try self.fetch(db, number)
            var note = NoteRow(incidentNumber: Int64(number), author: actor.email, content: text, createdAt: at)
            try note.insert(db)
            return try self.record(db, &row, .annotated, actor: actor.email, summary: "Added a note", detail: text, at: at)
        }
        await publish([change])
        return change.incident
    }

    /// Opens an incident from chat: high urgency (a person asked for it), assigned to level 1 of the
    /// schedule named like the service, if there is one.
    public func trigger(service name: String, title: String, by actor: Actor) async throws -> Incident {
        guard let service = directory.service(named: name) else { throw IncidentServiceError.unknownService(name) }
        let summary = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !summary.isEmpty else { throw IncidentServiceError.invalidArgument("say what is wrong: trigger SERVICE summary…") }
        let at = now()
        let change = try await write { db in
            var row = self.newIncident(service: service, title: summary, urgency: .high, severity: nil, dedupKey: nil, at: at)
            return try self.insertIncident(db, &row, actor: actor.email, summary: "Triggered from chat", at: at)
        }
        await publish([change])
        return change.incident
    }

    /// Assigns to a configured user found by email or case-insensitive name. As on PagerDuty, an
    /// acknowledged incident goes back to triggered: the new assignee has not seen it yet.
    public func reassign(_ number: Int, to user: String, by actor: Actor) async throws -> Incident {
        let assignee = try directory.user(matching: user)
        let at = now()
        let (incident, change) = try await write { db -> (Incident, RecordedChange?) in
            var row = try self.fetch(db, number)
            guard row.status != .resolved else {
                throw IncidentServiceError.invalidTransition(number: number, from: .resolved, to: "reassign")
            }
            if row.assignee?.lowercased() == assignee.email.lowercased() {
                return (row.incident(urlBase: self.urlBase), nil)
            }
            row.assignee = assignee.email
            self.retrigger(&row)
            let change = try self.record(db, &row, .reassigned, actor: actor.email,
                                         summary: "Reassigned to \(assignee.name) <\(assignee.email)>", detail: assignee.email, at: at)
            return (change.incident, change)
        }
        await publish(change.map { [$0] } ?? [])
        return incident
    }

    /// Moves to the next escalation level, or to `level`. When a schedule is named like the incident's
    /// service, the assignee becomes that level's current on-call and the level must exist in it.
    /// An acknowledged incident goes back to triggered, as on PagerDuty.
    public func escalate(_ number: Int, toLevel level: Int?, by actor: Actor) async throws -> Incident {
        if let level, level < 1 {
            throw IncidentServiceError.invalidArgument("escalation levels start at 1")
        }
        let at = now()
        let change = try await write { db in
            var row = try self.fetch(db, number)
            guard row.status != .resolved else {
                throw IncidentServiceError.invalidTransition(number: number, from: .resolved, to: "escalate")
            }
            let target = level ?? row.escalationLevel + 1
            var summary = "Escalated to level \(target)"
            if let schedule = self.directory.schedule(forService: row.service) {
                guard let shift = schedule.shift(level: target, at: at) else {
                    let count = schedule.levels.count
                    throw IncidentServiceError.invalidArgument(
                        "schedule \(schedule.name) has \(count) escalation level\(count == 1 ? "" : "s"); #\(number) cannot go to level \(target)")
                }
                row.assignee = shift.email
                summary += " (\(self.directory.displayName(ofEmail: shift.email)))"
            }
            row.escalationLevel = target
            self.retrigger(&row)
            return try self.record(db, &row, .escalated, actor: actor.email, summary: summary, detail: row.assignee, at: at)
        }
        await publish([change])
        return change.incident
    }

    /// Silences an acknowledged incident for `seconds` (at most ``SnoozeDuration/maximumSeconds``);
    /// ``wakeExpiredSnoozes()`` puts it back to triggered when the time is up.
    public func snooze(_ number: Int, for seconds: Int, by actor: Actor) async throws -> Incident {
        guard (1...SnoozeDuration.maximumSeconds).contains(seconds) else {
            throw IncidentServiceError.invalidArgument("a snooze lasts between 1 second and \(SnoozeDuration.format(seconds: SnoozeDuration.maximumSeconds))")
        }
        let at = now()
        let duration = SnoozeDuration.format(seconds: seconds)
        let change = try await write { db in
            var row = try self.fetch(db, number)
            guard row.status == .acknowledged else {
                throw IncidentServiceError.invalidTransition(number: number, from: row.status, to: "snooze")
            }
            row.snoozedUntil = at.addingTimeInterval(TimeInterval(seconds))
            return try self.record(db, &row, .snoozed, actor: actor.email, summary: "Snoozed for \(duration)", detail: duration, at: at)
        }
        await publish([change])
        return change.incident
    }

    /// Re-triggers acknowledged incidents whose snooze has ended, publishing an `unacknowledged`
    /// event for each. The gateway calls this when ``nextSnoozeEnd()`` comes (no polling).
    @discardableResult
    public func wakeExpiredSnoozes() async throws -> [Incident] {
        let at = now()
        let changes = try await write { db in
            let rows = try IncidentRow
                .filter(IncidentRow.Columns.status == IncidentStatus.acknowledged.rawValue && IncidentRow.Columns.snoozedUntil <= at.timeIntervalSince1970)
                .order(IncidentRow.Columns.number)
                .fetchAll(db)
            return try rows.map { row in
                var row = row
                self.retrigger(&row)
                return try self.record(db, &row, .unacknowledged, actor: nil, summary: "Snooze ended, triggered again", detail: nil, at: at)
            }
        }
        await publish(changes)
        return changes.map(\.incident)
    }

    /// `!ack`/`!resolve` in ONE write transaction: for each number one cached `SELECT`, and when it
    /// changes one `UPDATE` and one timeline `INSERT`; then the reply and the announcements go into
    /// the outbox (cached `INSERT`s) before the single `COMMIT`. Nothing is published afterwards:
    /// the returned items are handed to the dispatcher from memory.
    public func transition(_ numbers: [Int], to target: IncidentStatus, by actor: Actor,
                           reply: @escaping @Sendable ([TransitionOutcome]) -> OutboxMessage) async throws -> [OutboxItem]? {
        guard let committing, target != .triggered else { return nil }
        let at = now()
        let verb = target == .acknowledged ? "acknowledge" : "resolve"
        let (stored, folded, changes) = try await write { db in
            let select = try db.cachedStatement(sql: "SELECT * FROM incident_incidents WHERE number = ?")
            let update = try db.cachedStatement(sql: """
                UPDATE incident_incidents SET status = ?, snoozedUntil = NULL, updatedAt = ? WHERE number = ?
                """)
            let insertTimeline = try db.cachedStatement(sql: """
                INSERT INTO incident_timeline (incidentNumber, at, actor, kind, summary, detail) VALUES (?, ?, ?, ?, ?, NULL)
                """)
            var outcomes: [TransitionOutcome] = []
            var changes: [RecordedChange] = []
            for number in numbers {
                guard let found = try Row.fetchOne(select, arguments: [number]) else {
                    outcomes.append(.failed(number: number, .notFound(number: number)))
                    continue
                }
                var row = try IncidentRow(row: found)
                if row.status == target { outcomes.append(.unchanged(row.incident(urlBase: self.urlBase))); continue }
                guard row.status != .resolved else {
                    outcomes.append(.failed(number: number, .invalidTransition(number: number, from: .resolved, to: verb)))
                    continue
                }
                row.status = target
                row.snoozedUntil = nil
                row.updatedAt = at
                try update.execute(arguments: [target.rawValue, at.timeIntervalSince1970, number])
                let kind: IncidentEventKind = target == .acknowledged ? .acknowledged : .resolved
                try insertTimeline.execute(arguments: [number, at.timeIntervalSince1970, actor.email, kind.rawValue,
                                                       target == .acknowledged ? "Acknowledged" : "Resolved"])
                let change = RecordedChange(timelineID: db.lastInsertedRowID, kind: kind, incident: row.incident(urlBase: self.urlBase),
                                            actor: actor.email, detail: nil, at: at)
                outcomes.append(.changed(change.incident))
                changes.append(change)
            }
            // An empty reply is none: the command's room reads its answer in the announcement (issue 12).
            var messages = [reply(outcomes)].filter { !$0.text.lines.isEmpty }
            for change in changes { messages += committing.announcer.announcements(for: change.event) }
            let (stored, folded) = try committing.outbox.enqueue(messages, in: db, at: at)
            return (stored, folded, changes)
        }
        committing.outbox.logFolds(folded)
        for change in changes {
            logger.debug("incident changed", metadata: [
                "incident": "\(change.incident.number)", "kind": "\(change.kind.rawValue)", "actor": "\(change.actor ?? "-")",
            ])
        }
        return stored
    }

    // MARK: - Reading

    /// Triggered and acknowledged incidents, newest first.
    public func openIncidents(limit: Int) async throws -> IncidentPage {
        guard limit > 0 else { throw IncidentServiceError.invalidArgument("the list limit must be positive") }
        let rows = try await read { db in
            try IncidentRow
                .filter(IncidentRow.Columns.status != IncidentStatus.resolved.rawValue)
                .order(IncidentRow.Columns.number.desc)
                .limit(limit + 1)
                .fetchAll(db)
        }
        return IncidentPage(incidents: rows.prefix(limit).map { $0.incident(urlBase: urlBase) }, more: rows.count > limit)
    }

    public func details(of number: Int) async throws -> IncidentDetails {
        try await read { db in
            let row = try self.fetch(db, number)
            let notes = try NoteRow.filter(Column("incidentNumber") == number).order(Column("id")).fetchAll(db)
            let timeline = try TimelineRow.filter(Column("incidentNumber") == number).order(Column("id")).fetchAll(db)
            return IncidentDetails(incident: row.incident(urlBase: self.urlBase), notes: notes.map(\.note), timeline: timeline.map(\.entry))
        }
    }

    /// Who holds each level of the schedules right now (`name` picks one schedule, case-insensitively).
    public func onCall(name: String?) async throws -> [OnCallEntry] {
        let selected: [EmbeddedOnCallSchedule]
        if let name {
            let wanted = name.trimmingCharacters(in: .whitespaces).lowercased()
            selected = directory.schedules.filter { $0.name.lowercased() == wanted }
            guard !selected.isEmpty else { throw IncidentServiceError.unknownOnCallScope(name) }
        } else {
            selected = directory.schedules
        }
        let at = now()
        return selected.flatMap { schedule in
            schedule.levels.indices.compactMap { index -> OnCallEntry? in
                guard let shift = schedule.shift(level: index + 1, at: at) else { return nil }
                return OnCallEntry(scope: schedule.name, user: directory.displayName(ofEmail: shift.email), email: shift.email,
                                   escalationLevel: index + 1, until: shift.until)
            }
        }
    }

    // MARK: - Building blocks (each runs inside one write transaction)

    /// A committed change waiting to be published.
    struct RecordedChange: Sendable {
        var timelineID: Int64
        var kind: IncidentEventKind
        var incident: Incident
        var actor: String?
        var detail: String?
        var at: Date

        var event: IncidentEvent {
            IncidentEvent(id: "embedded-\(timelineID)", kind: kind, incident: incident, actor: actor, detail: detail, occurredAt: at)
        }
    }

    private func transition(_ number: Int, to target: IncidentStatus, verb: String, by actor: Actor) async throws -> TransitionOutcome {
        let at = now()
        let (outcome, change) = try await write { db -> (TransitionOutcome, RecordedChange?) in
            guard var row = try IncidentRow.fetchOne(db, key: number) else {
                return (.failed(number: number, .notFound(number: number)), nil)
            }
            if row.status == target { return (.unchanged(row.incident(urlBase: self.urlBase)), nil) }
            guard row.status != .resolved else {
                return (.failed(number: number, .invalidTransition(number: number, from: .resolved, to: verb)), nil)
            }
            let change = try self.move(db, &row, to: target, actor: actor.email, via: nil, at: at)
            return (.changed(change.incident), change)
        }
        await publish(change.map { [$0] } ?? [])
        return outcome
    }

    /// Acknowledges or resolves an open incident; `via` names an alert source for the timeline.
    func move(_ db: Database, _ row: inout IncidentRow, to target: IncidentStatus, actor: String?, via source: String?, at: Date) throws -> RecordedChange {
        precondition(target != .triggered && row.status != .resolved)
        row.status = target
        row.snoozedUntil = nil
        let kind: IncidentEventKind = target == .acknowledged ? .acknowledged : .resolved
        let verb = target == .acknowledged ? "Acknowledged" : "Resolved"
        return try record(db, &row, kind, actor: actor, summary: source.map { "\(verb) by an alert from \($0)" } ?? verb, detail: nil, at: at)
    }

    func newIncident(
        service: EmbeddedService, title: String, urgency: Urgency, severity: Severity?, dedupKey: String?,
        source: String? = nil, component: String? = nil, at: Date
    ) -> IncidentRow {
        let assignee = directory.schedule(forService: service.name)?.shift(level: 1, at: at)?.email
        return IncidentRow(service: service.name, team: service.team, title: String(title.prefix(Self.maximumTitleLength)),
                           urgency: urgency, severity: severity, assignee: assignee, dedupKey: dedupKey,
                           source: source, component: component, at: at)
    }

    func insertIncident(_ db: Database, _ row: inout IncidentRow, actor: String?, summary: String, at: Date) throws -> RecordedChange {
        try row.insert(db)
        return try appendTimeline(db, row, .triggered, actor: actor, summary: summary, detail: nil, at: at)
    }

    /// Saves the row and appends the timeline entry that becomes the event.
    func record(
        _ db: Database, _ row: inout IncidentRow, _ kind: IncidentEventKind, actor: String?, summary: String, detail: String?, at: Date
    ) throws -> RecordedChange {
        row.updatedAt = at
        try row.update(db)
        return try appendTimeline(db, row, kind, actor: actor, summary: summary, detail: detail, at: at)
    }

    private func appendTimeline(
        _ db: Database, _ row: IncidentRow, _ kind: IncidentEventKind, actor: String?, summary: String, detail: String?, at: Date
    ) throws -> RecordedChange {
        var entry = TimelineRow(incidentNumber: row.number ?? 0, at: at, actor: actor, kind: kind.rawValue, summary: summary, detail: detail)
        try entry.insert(db)
        return RecordedChange(timelineID: entry.id ?? 0, kind: kind, incident: row.incident(urlBase: urlBase), actor: actor, detail: detail, at: at)
    }

    /// Reassigning or escalating pages someone new: the incident is triggered again, unsnoozed.
    private func retrigger(_ row: inout IncidentRow) {
        if row.status == .acknowledged { row.status = .triggered }
        row.snoozedUntil = nil
    }

    func fetch(_ db: Database, _ number: Int) throws -> IncidentRow {
        guard let row = try IncidentRow.fetchOne(db, key: number) else { throw IncidentServiceError.notFound(number: number) }
        return row
    }

    // MARK: - Database access

    func publish(_ changes: [RecordedChange]) async {
        for change in changes {
            logger.debug("incident changed", metadata: [
                "incident": "\(change.incident.number)", "kind": "\(change.kind.rawValue)", "actor": "\(change.actor ?? "-")",
            ])
            do {
                try await events.publish(change.event)
            } catch {
                // The change is committed; the replay at the next start publishes it again.
                logger.error("incident change not announced yet; it is published again at the next start", metadata: [
                    "incident": "\(change.incident.number)", "kind": "\(change.kind.rawValue)", "error": "\(error)",
                ])
            }
        }
    }

    /// Runs one write transaction; anything but an ``IncidentServiceError`` becomes `.unavailable`.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            // Inline on the calling thread: no hop to the writer's queue and back (see writeInline).
            return try database.writeInline(updates)
        } catch let error as IncidentServiceError {
            throw error
        } catch {
            logger.error("embedded incident store write failed", metadata: ["error": "\(error)"])
            throw IncidentServiceError.unavailable("the embedded database failed: \(error)")
        }
    }

    func read<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try database.readInline(value)
        } catch let error as IncidentServiceError {
            throw error
        } catch {
            logger.error("embedded incident store read failed", metadata: ["error": "\(error)"])
            throw IncidentServiceError.unavailable("the embedded database failed: \(error)")
        }
    }
}
