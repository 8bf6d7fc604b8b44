import Foundation
import Logging
import Synchronization

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
    /// Runs ``submit(_:)``'s commands concurrently, bounded per network, in order per person.
    public var scheduler: CommandScheduler
    /// Waits for the "working on it" deadline; injected so tests control time.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Told how each command ended and how long it took (`/metrics`); nil in tests and benchmarks.
    public var commandObserver: (any CommandObserver)? = nil
    /// Keeps room lines in incident timelines (issue 13); its calls return at once, so recording
    /// never delays a command. nil records nothing.
    public var recorder: (any ChatLineRecorder)? = nil

    public init(
        commands: CommandHandler, router: Router, outbox: any Outbox, dispatcher: OutboxDispatcher,
        formatter: AnnouncementFormatter = AnnouncementFormatter(), logger: Logger = Logger(label: "tocsin.gateway"),
        rateLimiter: CommandRateLimiter? = nil, scheduler: CommandScheduler = CommandScheduler(),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.commands = commands
        self.router = router
        self.outbox = outbox
        self.dispatcher = dispatcher
        self.formatter = formatter
        self.logger = logger
        self.rateLimiter = rateLimiter
        self.scheduler = scheduler
        self.sleep = sleep
    }

    /// What a transport calls for every chat message: returns at once. A command is handed to the
    /// ``CommandScheduler`` (its own task, bounded per network, in order per person); when the
    /// network's queue is full it is refused with one line instead.
    public func submit(_ message: InboundMessage) {
        if let recorder, let line = ObservedChatLine(message) { recorder.observe(line) }
        guard commands.isCommand(message) else { return }
        switch admission(message) {
        case .run: break
        case .tell(let notice):
            // Stored in the background: the transport reads on.
            Task { await store([notice]) }
            return
        case .drop: return
        }
        let person = CommandRateLimiter.userKey(for: message)
        let accepted = scheduler.submit(network: message.origin.network, person: person) { await self.run(message) }
        guard !accepted else { return }
        logger.warning("command refused, too many commands waiting on this network", metadata: [
            "origin": "\(message.origin)", "sender": "\(person)", "queued": "\(scheduler.limits.maximumQueued)",
        ])
        Task {
            await store([OutboxMessage(destination: message.origin, text: RichText([.tone(.warning, "Busy: "),
                .plain("too many commands are waiting, try again in a minute")]), priority: .readReply, inReplyTo: message.messageID)])
        }
    }

    /// Runs a chat message as a command if it is one, and queues the reply where it came from,
    /// with the reply's ``DeliveryPriority`` (never ahead of a critical or high announcement).
    /// A command over its user's or room's rate limit is not run: its sender gets one "slow down"
    /// line per limited period, then silence.
    public func receive(_ message: InboundMessage) async {
        if let recorder, let line = ObservedChatLine(message) { recorder.observe(line) }
        guard commands.isCommand(message) else { return }
        switch admission(message) {
        case .run: await run(message)
        case .tell(let notice): await store([notice])
        case .drop: return
        }
    }

    private enum Admission {
        case run
        /// Limited: this "slow down" line is its sender's answer.
        case tell(OutboxMessage)
        /// Limited, and the sender was already told.
        case drop
    }

    /// Applies the rate limits; a limited command's sender gets one "slow down" line per period.
    private func admission(_ message: InboundMessage) -> Admission {
        guard let rateLimiter, case .limited(let notice) = rateLimiter.admit(message) else { return .run }
        let metadata: Logger.Metadata = ["origin": "\(message.origin)", "sender": "\(CommandRateLimiter.userKey(for: message))"]
        guard let notice else {
            logger.debug("command rate-limited, sender already told", metadata: metadata)
            return .drop
        }
        logger.notice("command rate-limited", metadata: metadata)
        return .tell(OutboxMessage(destination: message.origin, text: notice, priority: .readReply, inReplyTo: message.messageID))
    }

    /// Runs one command and stores its reply. When it takes longer than the scheduler's
    /// ``CommandSchedulerLimits/workingNoticeAfter``, one "working on it" line is stored first
    /// (same priority as the answer, so it is delivered before it).
    func run(_ message: InboundMessage) async {
        let flag = WorkingNoticeFlag()
        let priority = commands.expectedPriority(for: message)
        let delay = scheduler.limits.workingNoticeAfter
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                guard (try? await sleep(delay)) != nil, flag.claimNotice() else { return }
                await store([OutboxMessage(destination: message.origin, text: RichText([.muted("Working on it…")]),
                                           priority: priority, inReplyTo: message.messageID)])
            }
            let started = ContinuousClock.now
            let response = await commands.respond(to: message)
            if let response, let commandObserver {
                commandObserver.commandFinished(response.command ?? "invalid", outcome: response.outcome,
                                                duration: .now - started)
            }
            flag.finish()
            // Wait for a notice already being stored, so the answer is never stored before it.
            group.cancelAll()
            await group.waitForAll()
            guard let response else { return }
            if let recorder, case .room = message.origin.conversation {
                // The bot's answer belongs in the timeline beside the command that caused it.
                recorder.observe(ObservedChatLine(at: Date(), room: message.origin, nick: message.botNames.first ?? "tocsin",
                                                  identity: nil, text: response.text.plainText, isBot: true))
            }
            if let committed = response.committed {
                // Reply and announcements were committed with the change: send them from memory.
                dispatcher.offer(committed)
                // What the transaction could not say (who acknowledged already, and when).
                if let followUp = response.followUp {
                    await store([OutboxMessage(destination: message.origin, text: followUp, priority: response.priority,
                                               inReplyTo: message.messageID)])
                }
                return
            }
            await store((response.privateReply.map { [$0] } ?? []) + [OutboxMessage(
                destination: message.origin, text: response.text, priority: response.priority, inReplyTo: message.messageID)])
        }
    }

    /// Routes an incident event to its rooms and queues one announcement per room.
    ///
    /// - Throws: ``IncidentEventSinkError/notStored(eventID:reason:)`` when the outbox write failed,
    ///   so the event's sender keeps it (a webhook is answered 5xx and delivered again).
    public func publish(_ event: IncidentEvent) async throws {
        let announcements = Announcer(router: router, formatter: formatter).announcements(for: event)
        guard !announcements.isEmpty else {
            logger.debug("event matches no route", metadata: ["event": "\(event.id)", "kind": "\(event.kind.rawValue)"])
            return
        }
        do {
            try await enqueue(announcements)
            recorder?.announced(event.incident.number, in: announcements.map(\.destination), at: event.occurredAt)
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
        // Handed to the dispatcher from memory: the stored rows are for recovery, not read back.
        dispatcher.offer(try await outbox.enqueue(messages))
    }
}

/// Decides, once, whether a command's "working on it" line is sent: only when the deadline passed
/// before the answer was ready.
final class WorkingNoticeFlag: Sendable {
    private let state = Atomic<Int>(0)  // 0 running, 1 notice sent, 2 answered

    func claimNotice() -> Bool {
        state.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged
    }

    func finish() {
        _ = state.compareExchange(expected: 0, desired: 2, ordering: .acquiringAndReleasing)
    }
}
