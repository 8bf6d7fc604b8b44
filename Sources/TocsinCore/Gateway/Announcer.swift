/// Words an incident event's announcements: one per room its routes name, with the event's
/// priority and dedup key. Pure, so a backend can call it inside its own write transaction.
public struct Announcer: Sendable {
    public var router: Router
    public var formatter: AnnouncementFormatter

    public init(router: Router, formatter: AnnouncementFormatter = AnnouncementFormatter()) {
        self.router = router
        self.formatter = formatter
    }

    /// Worded per network (chat names differ), and in the room where a command caused the event
    /// worded as that command's answer, or left out when it already answered (``CommandEchoes``):
    /// one line per action there (issue 12).
    public func announcements(for event: IncidentEvent) -> [OutboxMessage] {
        let destinations = router.destinations(for: event)
        guard !destinations.isEmpty else { return [] }
        var texts: [String: RichText] = [:]
        let priority = DeliveryPriority.announcement(for: event.incident)
        return destinations.compactMap { destination in
            switch router.echoes.claim(event, at: destination) {
            case .silence:
                return nil
            case .speak(let nick, let messageID, let headline):
                let text = formatter.reply(for: event, to: nick, on: destination.network, headline: headline)
                return OutboxMessage(destination: destination, text: text, priority: min(priority, .writeReply),
                                     inReplyTo: messageID, dedupKey: "event:\(event.id)")
            case nil:
                let text = texts[destination.network] ?? formatter.announcement(for: event, on: destination.network)
                texts[destination.network] = text
                return OutboxMessage(destination: destination, text: text, priority: priority, dedupKey: "event:\(event.id)")
            }
        }
    }
}
