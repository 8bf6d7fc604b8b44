import Foundation
import TocsinCore

/// An Events API backend that records what it was given, and can be told to fail.
actor RecordingAlertIntake: AlertEventIntake {
    struct StoreDown: Error {}

    private(set) var received: [AlertEvent] = []
    private let failing: Bool

    init(failing: Bool = false) {
        self.failing = failing
    }

    func enqueue(_ event: AlertEvent) async throws -> AlertEventOutcome {
        if failing { throw StoreDown() }
        received.append(event)
        return .ignored
    }
}

/// An event sink that records what was published, optionally after a delay.
actor RecordingEventSink: IncidentEventSink {
    private(set) var published: [IncidentEvent] = []
    /// When held, `publish` blocks until `release()`: a sink slower than any deadline, without timing.
    private var isHeld: Bool
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(holdUntilReleased: Bool = false) {
        isHeld = holdUntilReleased
    }

    func publish(_ event: IncidentEvent) async {
        if isHeld { await withCheckedContinuation { waiting.append($0) } }
        published.append(event)
    }

    func release() {
        isHeld = false
        waiting.forEach { $0.resume() }
        waiting = []
    }
}

/// An event sink whose outbox is down for its first `failures` events, then records them.
actor FailingEventSink: IncidentEventSink {
    private(set) var published: [IncidentEvent] = []
    private(set) var attempts = 0
    private var failures: Int

    init(failures: Int = .max) {
        self.failures = failures
    }

    func publish(_ event: IncidentEvent) async throws {
        attempts += 1
        if failures > 0 {
            failures -= 1
            throw IncidentEventSinkError.notStored(eventID: event.id, reason: "disk I/O error")
        }
        published.append(event)
    }
}

/// A health source that reports fixed components.
struct FixedHealth: HealthSource {
    var components: [ComponentHealth]

    func health() async -> [ComponentHealth] { components }
}
