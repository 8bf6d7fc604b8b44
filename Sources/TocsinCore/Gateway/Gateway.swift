import Logging

/// The service layer's front door for both directions of traffic:
/// chat messages in → command replies out, and incident events in → announcements out.
/// Both go through the ``Outbox`` before any transport sees them.
public struct Gateway: IncidentEventSink {
    public var commands: CommandHandler
    public var router: Router
    public var outbox: any Outbox
    public var dispatcher: OutboxDispatcher
    public var formatter: AnnouncementFormatter
    public var logger: Logger
    /// Per-user and per-room command limits; nil runs every command (tests, benchmarks).
    public var rateLimiter: CommandRateLimiter?

    public init(
        commands: CommandHandler, router: Router, outbox: any Outbox, dispatcher: OutboxDispatcher,
        formatter: AnnouncementFormatter = AnnouncementFormatter(), logger: Logger = Logger(label: "tocsin.gateway"),
        rateLimiter: CommandRateLimiter? = nil
    ) {
        self.commands = commands
        self.router = router
        self.outbox = outbox
        self.dispatcher = dispatcher
        self.formatter = formatter
        self.logger = logger
        self.rateLimiter = rateLimiter
    }

    /// Runs a chat message as a command if it is one, and queues the reply where it came from,
    /// with the reply's ``DeliveryPriority`` (never ahead of a critical or high announcement).
    /// A command over its user's or room's rate limit is not run: its sender gets one "slow down"
    /// line per limited period, then silence.
    public func receive(_ message: InboundMessage) async {
        if let rateLimiter, commands.isCommand(message), case .limited(let notice) = rateLimiter.admit(message) {
            let metadata: Logger.Metadata = ["origin": "\(message.origin)", "sender": "\(CommandRateLimiter.userKey(for: message))"]
            guard let notice else {
                logger.debug("command rate-limited, sender already told", metadata: metadata)
                return
            }
            logger.notice("command rate-limited", metadata: metadata)
            await store([OutboxMessage(destination: message.origin, text: notice, priority: .readReply, inReplyTo: message.messageID)])
            return
        }
        guard let response = await commands.respond(to: message) else { return }
        await store([OutboxMessage(destination: message.origin, text: response.text, priority: response.priority,
                                   inReplyTo: message.messageID)])
    }

    /// Routes an incident event to its rooms and queues one announcement per room.
    ///
    /// - Throws: ``IncidentEventSinkError/notStored(eventID:reason:)`` when the outbox write failed,
    ///   so the event's sender keeps it (a webhook is answered 5xx and delivered again).
    public func publish(_ event: IncidentEvent) async throws {
        let destinations = router.destinations(for: event)
        guard !destinations.isEmpty else {
            logger.debug("event matches no route", metadata: ["event": "\(event.id)", "kind": "\(event.kind.rawValue)"])
            return
        }
        let text = formatter.announcement(for: event)
        let priority = DeliveryPriority.announcement(for: event.incident)
        let announcements = destinations.map {
            OutboxMessage(destination: $0, text: text, priority: priority, dedupKey: "event:\(event.id)")
        }
        do {
            try await enqueue(announcements)
        } catch {
            logger.error("could not store announcements; the event's sender must deliver it again",
                         metadata: ["event": "\(event.id)", "error": "\(error)", "count": "\(announcements.count)"])
            throw IncidentEventSinkError.notStored(eventID: event.id, reason: "\(error)")
        }
    }

    private func store(_ messages: [OutboxMessage]) async {
        do {
            try await enqueue(messages)
        } catch {
            logger.critical("could not store outgoing messages", metadata: ["error": "\(error)", "count": "\(messages.count)"])
        }
    }

    /// Stores the messages and wakes the networks that got new ones; throws when the outbox failed.
    private func enqueue(_ messages: [OutboxMessage]) async throws {
        let stored = try await outbox.enqueue(messages)
        for network in Set(stored.map(\.message.destination.network)) {
            dispatcher.wake(network: network)
        }
    }
}
