import Synchronization
import TocsinCore

/// Breaks the construction cycle between backends (which publish events) and the gateway (which
/// needs the backend to run commands): backends get the relay, the relay gets the gateway.
final class EventRelay: IncidentEventSink {
    private let target = Mutex<(any IncidentEventSink)?>(nil)

    func connect(_ sink: any IncidentEventSink) {
        target.withLock { $0 = sink }
    }

    func publish(_ event: IncidentEvent) async {
        await target.withLock { $0 }?.publish(event)
    }
}
