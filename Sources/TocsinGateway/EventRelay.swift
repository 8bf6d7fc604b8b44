import Synchronization
import TocsinCore

/// Breaks the construction cycle between backends (which publish events) and the gateway (which
/// needs the backend to run commands): backends get the relay, the relay gets the gateway.
///
/// `observe` sees every event first (even one the gateway then fails to store): the snooze-expiry
/// task is nudged by `.snoozed` events to re-read its next deadline.
final class EventRelay: IncidentEventSink {
    private let target = Mutex<(any IncidentEventSink)?>(nil)
    private let observe: @Sendable (IncidentEvent) -> Void

    init(observe: @escaping @Sendable (IncidentEvent) -> Void = { _ in }) {
        self.observe = observe
    }

    func connect(_ sink: any IncidentEventSink) {
        target.withLock { $0 = sink }
    }

    /// - Throws: ``IncidentEventSinkError/notReady(eventID:)`` before ``connect(_:)``, and whatever the
    ///   gateway throws when the event could not be stored.
    func publish(_ event: IncidentEvent) async throws {
        observe(event)
        guard let sink = target.withLock({ $0 }) else { throw IncidentEventSinkError.notReady(eventID: event.id) }
        try await sink.publish(event)
    }
}
