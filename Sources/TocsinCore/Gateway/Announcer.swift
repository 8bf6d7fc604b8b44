/// Words an incident event's announcements: one per room its routes name, with the event's
/// priority and dedup key. Pure, so a backend can call it inside its own write transaction.
public struct Announcer: Sendable {
    public var router: Router
    public var formatter: AnnouncementFormatter

    public init(router: Router, formatter: AnnouncementFormatter = AnnouncementFormatter()) {
        self.router = router
        self.formatter = formatter
    }

    public func announcements(for event: IncidentEvent) -> [OutboxMessage] {
        let destinations = router.destinations(for: event)
        guard !destinations.isEmpty else { return [] }
        let text = formatter.announcement(for: event)
        let priority = DeliveryPriority.announcement(for: event.incident)
        return destinations.map { OutboxMessage(destination: $0, text: text, priority: priority, dedupKey: "event:\(event.id)") }
    }
}
