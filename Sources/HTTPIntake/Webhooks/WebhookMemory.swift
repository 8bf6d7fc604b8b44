import PagerDuty
import TocsinCore

/// What the webhook endpoint keeps in memory between deliveries: the ids of events being stored
/// right now (so two concurrent deliveries of one event are not both published) and the last
/// snapshot of each incident, which fills in note and status-update events that carry only an
/// incident reference. Ids already stored are in the durable ``WebhookEventLedger``.
actor WebhookMemory {
    enum Admission: Sendable, Equatable {
        case publish(IncidentEvent)
        /// Another delivery of this event is being stored right now.
        case inFlight
        case noIncident
    }

    private var inFlight: Set<String> = []
    private var incidents: BoundedMemory<String, Incident>

    init(incidentCapacity: Int = 1_000) {
        incidents = BoundedMemory(capacity: max(1, incidentCapacity))
    }

    /// Claims the event and translates it in one step. A claimed event must be ``release(_:)``d once
    /// its store finished, whatever the outcome.
    func admit(
        _ event: WebhookEnvelope.Event, kind: IncidentEventKind, translation: WebhookEventTranslation
    ) -> Admission {
        guard !inFlight.contains(event.id) else { return .inFlight }
        switch translation.translate(event, kind: kind, lastSnapshot: { self.incidents[$0] }) {
        case .success(let incidentEvent):
            inFlight.insert(event.id)
            incidents.remember(incidentEvent.incident.id, incidentEvent.incident)
            return .publish(incidentEvent)
        case .failure(.noIncident):
            return .noIncident
        }
    }

    func release(_ eventID: String) {
        inFlight.remove(eventID)
    }
}
