import Foundation
import Logging

/// Runs chat commands: parse, authorize, call the incident service, word the reply.
///
/// Every path ends in a reply for a line that was meant for the bot — bad arguments, refusals,
/// unsupported commands and API failures included — so a user is never left with silence.
public struct CommandHandler: Sendable {
    public var parser: CommandParser
    /// Shared with the configuration reload, which replaces the policy in place.
    public var policySource: PolicySource
    /// The policy in force now; setting it gives this handler a source of its own.
    public var policy: AuthorizationPolicy {
        get { policySource.current }
        set { policySource = PolicySource(newValue) }
    }
    public var service: any IncidentService
    public var formatter: AnnouncementFormatter
    public var logger: Logger
    /// Where `!ack`/`!resolve` commit change, announcements and reply in one transaction: the
    /// service itself when it can (``IncidentService/transactional``), or the embedded store
    /// given explicitly when `service` wraps it (metrics); nil on PagerDuty.
    public var transactional: (any TransactionalCommandService)?
    /// The rooms held by invitation, for `!leave` and a room's `!help`; nil in tests and tools
    /// without rooms (CommandHandler+Rooms.swift).
    public var rooms: RoomRegistry? = nil
    /// The incident pages' sign-in links and addresses (`!web`, `!postmortem`); nil when
    /// `gateway.public_url` is not set (CommandHandler+Web.swift).
    public var web: (any WebSignIn)? = nil
    /// The routes in force and the command echoes (`!subscribe`, one line per action); nil in
    /// tests without routing (CommandHandler+Subscriptions.swift, CommandHandler+Output.swift).
    public var router: Router? = nil
    /// Where chat subscriptions are kept across restarts; nil keeps them in memory only.
    public var subscriptionStore: (any SubscriptionStore)? = nil
    /// Counted and per-person incident lists, and who changed what when; nil falls back to
    /// ``IncidentService/openIncidents(limit:)`` (set explicitly when `service` is wrapped).
    public var queries: (any IncidentQueries)? = nil
    /// Service names `!subscribe` accepts (nil: any name).
    public var knownServices: [String]? = nil
    /// What is recorded per room (issue 13), for `!help` to say it (the recorder's own rules, so
    /// a reload changes both); nil when nothing is recorded.
    public var recording: RecordingRulesSource? = nil
    /// The clock for ages ("5 m ago").
    public var now: @Sendable () -> Date = Date.init

    public init(
        parser: CommandParser, policy: AuthorizationPolicy, service: any IncidentService,
        formatter: AnnouncementFormatter = AnnouncementFormatter(), logger: Logger = Logger(label: "tocsin.commands"),
        transactional: (any TransactionalCommandService)? = nil
    ) {
        self.parser = parser
        self.policySource = PolicySource(policy)
        self.service = service
        self.formatter = formatter
        self.logger = logger
        self.transactional = transactional ?? service.transactional
    }

    /// The reply's words for `message`, without the sender's nick in front (``respond(to:)`` adds
    /// it), or nil when the line was not for the bot. For tests and tools.
    public func handle(_ message: InboundMessage) async -> RichText? {
        (await respond(to: message)?.text).map { unaddressed($0, nick: message.senderName) }
    }

    /// Whether the line is meant for the bot (a command, valid or not), without running it.
    public func isCommand(_ message: InboundMessage) -> Bool {
        if case .notACommand = parser.parse(message.text, botNames: message.botNames, isDirect: message.isDirect) { return false }
        return true
    }

    /// The priority the reply to `message` will have, without running the command (for the
    /// "working on it" line, which must not overtake or trail its answer).
    public func expectedPriority(for message: InboundMessage) -> DeliveryPriority {
        guard case .command(let command) = parser.parse(message.text, botNames: message.botNames, isDirect: message.isDirect),
              case .allowed(let actor) = policy.decide(command.name, for: message, prefix: parser.prefix)
        else { return .readReply }
        return command.name.isWrite && actor != nil ? .writeReply : .readReply
    }

    /// The reply and how urgently it should go out: ``DeliveryPriority/writeReply`` for a write
    /// command that was allowed to run (its verified author waits for the acknowledgement),
    /// ``DeliveryPriority/readReply`` for everything anyone can cause (reads, refusals, usage).
    func respondUnaddressed(to message: InboundMessage) async -> CommandResponse? {
        let command: Command
        switch parser.parse(message.text, botNames: message.botNames, isDirect: message.isDirect) {
        case .notACommand: return nil
        case .invalid(let explanation): return CommandResponse(RichText(plain: explanation), .readReply, outcome: .invalid)
        case .command(let parsed): command = parsed
        }
        let prefix = parser.prefix
        // `!leave` has its own rule (the inviter, or the room's writers), whatever the command list.
        if command.name == .leave { return await leaveResponse(for: message) }
        let actor: Actor?
        switch policy.decide(command.name, for: message, prefix: prefix) {
        case .denied(let reason):
            logger.info("refused command", metadata: [
                "command": "\(command.name.rawValue)", "origin": "\(message.origin)",
                "identity": "\(message.identity?.description ?? "none")",
            ])
            return CommandResponse(RichText([.tone(.warning, "Refused: "), .plain(reason)]), .readReply,
                                   command: command.name.rawValue, outcome: .refused)
        case .allowed(let allowedActor):
            actor = allowedActor
        }
        if command.name == .web { return await webResponse(for: message) }
        if command.name != .help, command.name != .whoami, command.name != .postmortem, !service.supportedCommands.contains(command.name) {
            return CommandResponse(RichText(plain: "\(service.backendName) does not support \(prefix)\(command.name.rawValue)"), .readReply,
                                   command: command.name.rawValue, outcome: .unsupported)
        }
        let priority: DeliveryPriority = command.name.isWrite && actor != nil ? .writeReply : .readReply
        do {
            // Write commands that change incidents, lists, subscriptions (CommandHandler+Output.swift).
            if let answered = try await respondWithOutput(command, actor: actor, message: message, priority: priority) {
                return answered
            }
            if let committed = try await commitInOneTransaction(command, actor: actor, message: message, priority: priority) {
                return committed
            }
            return CommandResponse(try await run(command, actor: actor, message: message), priority, command: command.name.rawValue)
        } catch let error as IncidentServiceError {
            logger.notice("command failed", metadata: ["command": "\(command.name.rawValue)", "error": "\(error)"])
            return CommandResponse(RichText([.tone(.warning, "Failed: "), .plain("\(prefix)\(command.name.rawValue): \(error)")]), priority,
                                   command: command.name.rawValue, outcome: .failed)
        } catch {
            logger.error("command failed unexpectedly", metadata: ["command": "\(command.name.rawValue)", "error": "\(error)"])
            return CommandResponse(RichText([.tone(.critical, "Failed: "), .plain("\(prefix)\(command.name.rawValue): internal error, see Tocsin's log")]), priority,
                                   command: command.name.rawValue, outcome: .failed)
        }
    }

    /// `!ack`/`!resolve` on a backend sharing the outbox's database: the change, its timeline,
    /// its announcements and this reply are committed together (nil: take the usual path).
    private func commitInOneTransaction(_ command: Command, actor: Actor?, message: InboundMessage,
                                        priority: DeliveryPriority) async throws -> CommandResponse? {
        guard let service = transactional, let actor else { return nil }
        let target: IncidentStatus, verb: String, already: String, numbers: [Int]
        switch command {
        case .ack(let list): (target, verb, already, numbers) = (.acknowledged, "Acknowledged", "acknowledged", list)
        case .resolve(let list): (target, verb, already, numbers) = (.resolved, "Resolved", "resolved", list)
        default: return nil
        }
        let origin = message.origin, messageID = message.messageID, name = command.name
        guard let items = try await service.transition(numbers, to: target, by: actor, reply: { outcomes in
            OutboxMessage(destination: origin, text: outcomeReply(verb, outcomes, already: already, command: name),
                          priority: priority, inReplyTo: messageID)
        }) else { return nil }
        var response = CommandResponse(items.first?.message.text ?? RichText(plain: verb), priority, command: name.rawValue)
        response.committed = items
        return response
    }

    private func run(_ command: Command, actor: Actor?, message: InboundMessage) async throws -> RichText {
        // AuthorizationPolicy allows write commands only with an actor; never invent one.
        func writer() throws -> Actor {
            guard let actor else { throw IncidentServiceError.invalidArgument("no incident-platform user to act as") }
            return actor
        }
        switch command {
        case .ack(let numbers):
            return outcomeReply("Acknowledged", try await service.acknowledge(numbers, by: try writer()), already: "acknowledged",
                                command: command.name)
        case .resolve(let numbers):
            return outcomeReply("Resolved", try await service.resolve(numbers, by: try writer()), already: "resolved",
                                command: command.name)
        case .note(let number, let text):
            let incident = try await service.addNote(to: number, content: text, by: try writer())
            return RichText([.plain("Note added to "), .bold("#\(incident.number)"), .plain(" \(incident.title)")])
        case .incidents:
            let page = try await service.openIncidents(limit: formatter.listLimit)
            guard !page.incidents.isEmpty else { return RichText([.tone(.success, "No open incidents.")]) }
            var lines = page.incidents.map(formatter.summaryLine)
            if page.more { lines.append([.muted("… more open incidents not shown")]) }
            return RichText(lines: lines)
        case .incident(let number):
            let details = try await service.details(of: number)
            var lines: [[Span]] = [[.bold("#\(number)"), .plain(" \(details.incident.title)")],
                                   formatter.details(of: details.incident)]
            for note in details.notes.suffix(3) {
                lines.append([.muted("note by \(note.author): "), .italic(note.content)])
            }
            return RichText(lines: lines)
        case .trigger(let serviceName, let summary):
            let incident = try await service.trigger(service: serviceName, title: summary, by: try writer())
            return RichText([.plain("Triggered "), .bold("#\(incident.number)"), .plain(" on \(incident.service): \(incident.title)")])
        case .oncall(let name):
            let entries = try await service.onCall(name: name)
            guard !entries.isEmpty else { return RichText(plain: "Nobody is on call\(name.map { " for \($0)" } ?? "").") }
            return RichText(lines: entries.prefix(formatter.listLimit).map { entry in
                [.bold(entry.user), .plain(" on call for \(entry.scope) (level \(entry.escalationLevel))")]
            })
        case .reassign(let number, let user):
            let incident = try await service.reassign(number, to: user, by: try writer())
            return RichText([.bold("#\(number)"), .plain(" reassigned to \(incident.assignee ?? user)")])
        case .escalate(let number, let level):
            let incident = try await service.escalate(number, toLevel: level, by: try writer())
            return RichText([.bold("#\(number)"), .plain(" escalated to level \(incident.escalationLevel.map(String.init) ?? "next")")])
        case .snooze(let number, let seconds):
            _ = try await service.snooze(number, for: seconds, by: try writer())
            return RichText([.bold("#\(number)"), .plain(" snoozed for \(SnoozeDuration.format(seconds: seconds))")])
        case .whoami:
            guard let identity = message.identity else {
                return RichText(plain: "\(message.senderName): not verified (\(message.identityUnavailableReason ?? "no services account"))")
            }
            let mapped = actor.map { "acting as \($0.email)" } ?? "not mapped to an incident-platform user"
            return RichText(plain: "\(message.senderName): \(identity), \(mapped)")
        case .help(let topic):
            return help(topic, at: message.origin)
        case .incidentsMine, .subscribe, .unsubscribe, .subscriptions:
            // Answered by respondWithOutput before `run` is reached.
            return try await outputReply(command, actor: actor, message: message)
        case .leave:
            return await leaveResponse(for: message).text
        case .web:
            return await webResponse(for: message).text
        case .postmortem(let number):
            return try await postmortemReply(number)
        }
    }

    /// What changed, what already was, then the failures in the same `Failed: !cmd:` form as every
    /// other command — once per command, the same error for several numbers said once with their
    /// numbers — and logged as a command failure.
    private func outcomeReply(_ verb: String, _ outcomes: [TransitionOutcome], already: String, command: CommandName) -> RichText {
        var spans: [Span] = []
        let changed = outcomes.compactMap { if case .changed(let i) = $0 { i } else { nil } }
        let unchanged = outcomes.compactMap { if case .unchanged(let i) = $0 { i } else { nil } }
        if !changed.isEmpty {
            spans.append(.plain("\(verb) "))
            spans.append(.bold(changed.map { "#\($0.number)" }.joined(separator: ", ")))
            if changed.count == 1 { spans.append(.plain(" \(changed[0].title)")) }
        }
        if !unchanged.isEmpty {
            if !spans.isEmpty { spans.append(.plain("; ")) }
            spans.append(.plain(unchanged.map { "#\($0.number)" }.joined(separator: ", ") + " already \(already)"))
        }
        var failures: [(error: IncidentServiceError, numbers: [Int])] = []
        for case .failed(let number, let error) in outcomes {
            if let index = failures.firstIndex(where: { $0.error == error }) {
                failures[index].numbers.append(number)
            } else {
                failures.append((error, [number]))
            }
        }
        if !failures.isEmpty {
            let text = failures.map { failure in
                let said = "\(failure.error)"
                // "incident #3 does not exist" names its number; "unavailable: …" does not.
                let named = failure.numbers.count == 1 && said.contains("#\(failure.numbers[0])")
                return named ? said : failure.numbers.map { "#\($0)" }.joined(separator: ", ") + ": " + said
            }.joined(separator: "; ")
            logger.notice("command failed", metadata: ["command": "\(command.rawValue)", "error": "\(text)"])
            if !spans.isEmpty { spans.append(.plain("; ")) }
            spans += [.tone(.warning, "Failed: "), .plain("\(parser.prefix)\(command.rawValue): \(text)")]
        }
        // Never an empty reply, even if a backend reports nothing at all.
        return spans.isEmpty ? RichText(plain: "\(verb): the incident platform reported no change") : RichText(spans)
    }

    // `help(_:at:)` is in CommandHandler+Rooms.swift: it answers for the room it is asked in.
}

/// A command's reply and the priority it is delivered with (see ``DeliveryPriority``).
public struct CommandResponse: Sendable, Hashable {
    public var text: RichText
    public var priority: DeliveryPriority
    /// The command's name (`ack`), nil when the line was not a valid command (for metrics).
    public var command: String?
    /// How it ended (for metrics).
    public var outcome: CommandOutcome
    /// Set when the backend already committed the reply (and the change's announcements) to the
    /// outbox in the change's own transaction: the stored items, to be sent from memory.
    public var committed: [OutboxItem]?
    /// Said to the sender alone, before ``text`` (`!web`'s sign-in link, never shown in a room).
    public var privateReply: OutboxMessage?
    /// Stored after ``committed`` (issue 12: "already acknowledged by bob 5 m ago" needs a read
    /// the one-write transaction does not make).
    public var followUp: RichText?

    public init(_ text: RichText, _ priority: DeliveryPriority, command: String? = nil, outcome: CommandOutcome = .ok) {
        self.text = text
        self.priority = priority
        self.command = command
        self.outcome = outcome
    }
}
