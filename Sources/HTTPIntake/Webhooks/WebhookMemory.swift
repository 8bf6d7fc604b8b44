import TocsinCore

/// What the webhook endpoint remembers between deliveries: the ids of events already published (a
/// first line of de-duplication; the outbox de-duplicates too) and the last snapshot of each incident,
/// which fills in note and status-update events that carry only an incident reference.
actor WebhookMemory {
    enum Admission: Sendable, Equatable {
        case publish(IncidentEvent)
        case duplicate
        case noIncident
    }

    private var publishedEventIDs: BoundedMemory<String, Bool>
    private var incidents: BoundedMemory<String, Incident>

    init(eventCapacity: Int, incidentCapacity: Int = 1_000) {
        publishedEventIDs = BoundedMemory(capacity: max(1, eventCapacity))
        incidents = BoundedMemory(capacity: max(1, incidentCapacity))
    }

    /// Claims the event and translates it in one step, so two concurrent deliveries of the same event
    /// cannot both be published.
    func admit(
        _ event: WebhookEnvelope.Event, kind: IncidentEventKind, translation: WebhookEventTranslation
    ) -> Admission {
        guard publishedEventIDs[event.id] == nil else { return .duplicate }
        publishedEventIDs.remember(event.id, true)
        switch translation.translate(event, kind: kind, lastSnapshot: { self.incidents[$0] }) {
        case .success(let incidentEvent):
            incidents.remember(incidentEvent.incident.id, incidentEvent.incident)
            return .publish(incidentEvent)
        case .failure(.noIncident):
            return .noIncident
        }
    }
}
