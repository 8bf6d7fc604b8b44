import DurableOutbox
import EmbeddedIncidents
import Foundation
import GRDB
import Testing
import TocsinCore
import TocsinStorage

/// Announces every incident event into one room, as the gateway does, once an outbox is attached.
actor AnnouncingSink: IncidentEventSink {
    private var outbox: SQLiteOutbox?

    func attach(_ outbox: SQLiteOutbox) {
        self.outbox = outbox
    }

    func publish(_ event: IncidentEvent) async {
        _ = try? await outbox?.enqueue([OutboxMessage(
            destination: ops, text: AnnouncementFormatter().announcement(for: event),
            priority: DeliveryPriority.announcement(for: event.incident), dedupKey: "event:\(event.id)")])
    }
}

@Suite("One database for incidents and outbox")
struct SharedDatabaseTests {
    enum Order: CaseIterable, Sendable {
        case incidentsFirst
        case outboxFirst
    }

    struct Opened {
        let incidents: EmbeddedIncidentStore
        let outbox: SQLiteOutbox
    }

    func open(_ pool: DatabasePool, _ order: Order) async throws -> Opened {
        let services = [EmbeddedService(name: "api", team: nil)]
        let sink = AnnouncingSink()
        let opened: Opened
        switch order {
        case .incidentsFirst:
            let incidents = try EmbeddedIncidentStore(database: pool, services: services, events: sink)
            opened = Opened(incidents: incidents, outbox: try SQLiteOutbox(database: pool))
        case .outboxFirst:
            let outbox = try SQLiteOutbox(database: pool)
            opened = Opened(incidents: try EmbeddedIncidentStore(database: pool, services: services, events: sink), outbox: outbox)
        }
        await sink.attach(opened.outbox)
        return opened
    }

    @Test(arguments: Order.allCases)
    func bothMigratorsShareOnePoolInEitherOrder(_ order: Order) async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("tocsin.sqlite")
        do {
            let opened = try await open(try TocsinDatabase.open(path: path), order)
            _ = try await opened.incidents.trigger(service: "api", title: "Disk full", by: Actor(email: "alice@example.com"))
            #expect(try await opened.outbox.pending(network: "libera", limit: 10).count == 1)
        }

        // A restart opens the file again, this time in the other order.
        let other: Order = order == .incidentsFirst ? .outboxFirst : .incidentsFirst
        let reopened = try await open(try TocsinDatabase.open(path: path), other)
        _ = try await reopened.incidents.acknowledge([1], by: Actor(email: "bob@example.com"))

        let pending = try await reopened.outbox.pending(network: "libera", limit: 10)
        #expect(pending.count == 2)
        #expect(pending.last?.message.text.plainText.hasPrefix("[ACKNOWLEDGED] #1 Disk full") == true)
        let tables = try await TocsinDatabase.open(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        }
        #expect(tables == ["grdb_migrations", "incident_incidents", "incident_notes", "incident_timeline", "outbox_messages"])
    }
}
