import EmbeddedIncidents
import Foundation
import GRDB
import Synchronization
import TocsinCore

/// Collects published events in order.
actor RecordingSink: IncidentEventSink {
    private(set) var events: [IncidentEvent] = []

    func publish(_ event: IncidentEvent) {
        events.append(event)
    }

    var kinds: [IncidentEventKind] { events.map(\.kind) }
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Fixture.epoch) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// A directory removed when the test is done with it.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-tests-\(UUID().uuidString)")
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

enum Fixture {
    /// A whole second, so dates survive SQLite's millisecond precision unchanged.
    static let epoch = Date(timeIntervalSince1970: 1_750_000_000)

    static let alice = EmbeddedUser(name: "Alice Liddell", email: "alice@example.com")
    static let bob = EmbeddedUser(name: "Bob", email: "bob@example.com")
    static let carol = EmbeddedUser(name: "Carol", email: "carol@example.com")
    static let dave = EmbeddedUser(name: "Dave", email: "dave@example.com")

    static let services = [
        EmbeddedService(name: "api", team: "platform"),
        EmbeddedService(name: "Billing", team: nil),
        EmbeddedService(name: "web", team: "frontend"),
    ]
    static let users = [alice, bob, carol, dave]

    /// Staffs the `api` service: level 1 rotates Alice/Bob every 8 hours, level 2 is Carol, level 3 Dave.
    static let apiSchedule = EmbeddedOnCallSchedule(
        name: "API", levels: [[alice.email, bob.email], [carol.email], [dave.email]], shiftSeconds: 8 * 3600, start: epoch)
    /// A schedule no service is named after.
    static let primary = EmbeddedOnCallSchedule(
        name: "primary", levels: [[alice.email, bob.email, carol.email]], shiftSeconds: 3600, start: epoch)

    static let aliceActor = Actor(email: alice.email)
    static let bobActor = Actor(email: bob.email)
}

struct StoreHarness {
    let store: EmbeddedIncidentStore
    let sink: RecordingSink
    let clock: TestClock

    init(
        database: (any DatabaseWriter)? = nil, schedules: [EmbeddedOnCallSchedule] = [Fixture.apiSchedule, Fixture.primary],
        urlBase: String? = nil, clock: TestClock = TestClock()
    ) throws {
        let sink = RecordingSink()
        self.sink = sink
        self.clock = clock
        store = try EmbeddedIncidentStore(
            database: database ?? DatabaseQueue(), services: Fixture.services, users: Fixture.users, schedules: schedules,
            incidentURLBase: urlBase, events: sink, now: { clock.now })
    }

    /// Opens an incident from chat as Alice.
    @discardableResult
    func trigger(_ title: String = "API is down", service: String = "web") async throws -> Incident {
        try await store.trigger(service: service, title: title, by: Fixture.aliceActor)
    }
}

extension TransitionOutcome {
    var changedIncident: Incident? {
        if case .changed(let incident) = self { incident } else { nil }
    }

    var error: IncidentServiceError? {
        if case .failed(_, let error) = self { error } else { nil }
    }
}
