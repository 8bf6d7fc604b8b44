import Foundation
import Synchronization

/// Output a team can live with (issue 12, item 5): replies start with the person's nick; a write
/// command's change reads once in the room it was typed in (see ``CommandEchoes``); `!incidents`
/// is compact and has `mine`; `!ack` alone takes what is assigned to me and triggered; "already
/// acknowledged by bob 5 m ago".
extension CommandHandler {
    /// The reply and how urgently it should go out: ``DeliveryPriority/writeReply`` for a write
    /// command that was allowed to run (its verified author waits for the acknowledgement),
    /// ``DeliveryPriority/readReply`` for everything anyone can cause (reads, refusals, usage).
    /// In a room it starts with the sender's nick, so their client highlights it.
    public func respond(to message: InboundMessage) async -> CommandResponse? {
        guard var response = await respondUnaddressed(to: message) else { return nil }
        address(&response, to: message)
        return response
    }

    /// Puts `nick: ` in front of a reply in a room (not in a direct conversation, where the
    /// person is highlighted anyway, nor before `!leave`'s part or `!web`'s private link).
    func address(_ response: inout CommandResponse, to message: InboundMessage) {
        let nick = message.senderName
        guard !message.isDirect, !nick.isEmpty, response.committed == nil,
              response.command != CommandName.leave.rawValue, response.command != CommandName.web.rawValue,
              var first = response.text.lines.first, !first.isEmpty else { return }
        let plain = RichText(first).plainText
        if plain.hasPrefix("\(nick):") || plain.hasPrefix("\(nick),") { return }
        // "Refused: alice: …" names the person already: said once, in front.
        if first.count > 1, case .plain(let text) = first[1], text.hasPrefix("\(nick): ") {
            first[1] = .plain(String(text.dropFirst(nick.count + 2)))
        }
        first.insert(.plain("\(nick): "), at: 0)
        response.text.lines[0] = first
    }

    /// `text` without a leading `nick: ` span.
    func unaddressed(_ text: RichText, nick: String) -> RichText {
        guard var first = text.lines.first, first.first == .plain("\(nick): ") else { return text }
        first.removeFirst()
        var copy = text
        copy.lines[0] = first
        return copy
    }

    /// Commands whose output issue 12 changed; nil lets the plain path run the command.
    func respondWithOutput(_ command: Command, actor: Actor?, message: InboundMessage,
                           priority: DeliveryPriority) async throws -> CommandResponse? {
        let name = command.name.rawValue
        switch command {
        case .ack(let numbers):
            guard let actor else { return nil }
            return try await transitionResponse(numbers, to: .acknowledged, actor: actor, message: message, priority: priority)
        case .resolve(let numbers):
            guard let actor else { return nil }
            return try await transitionResponse(numbers, to: .resolved, actor: actor, message: message, priority: priority)
        case .note, .trigger, .reassign, .escalate, .snooze:
            guard let actor else { return nil }
            return try await echoedChange(command, actor: actor, message: message, priority: priority)
        case .incidents, .incidentsMine, .subscribe, .unsubscribe, .subscriptions:
            return CommandResponse(try await outputReply(command, actor: actor, message: message), priority, command: name)
        default:
            return nil
        }
    }

    /// Read commands and subscriptions (also reached from `run`).
    func outputReply(_ command: Command, actor: Actor?, message: InboundMessage) async throws -> RichText {
        switch command {
        case .incidents: try await incidentList(mine: false, actor: actor, message: message)
        case .incidentsMine: try await incidentList(mine: true, actor: actor, message: message)
        default: try await subscriptionReply(command, message: message)
        }
    }

    // MARK: - !incidents

    func incidentList(mine: Bool, actor: Actor?, message: InboundMessage) async throws -> RichText {
        let nick = message.isDirect ? nil : message.senderName
        if mine, actor == nil {
            return RichText(formatter.addressed(nick) + [
                .plain("\(parser.prefix)incidents mine needs your chat identity mapped to an incident-platform user — "),
                .code("\(parser.prefix)whoami"), .plain(" shows yours")])
        }
        let listing: OpenIncidentList
        if let queries {
            listing = try await queries.incidents(in: [.triggered, .acknowledged], assignedTo: mine ? actor : nil, limit: formatter.listLimit)
        } else {
            let page = try await service.openIncidents(limit: mine ? 100 : formatter.listLimit)
            let email = actor?.email.lowercased()
            let picked = mine ? page.incidents.filter { $0.assignee?.lowercased() == email } : page.incidents
            listing = OpenIncidentList(incidents: picked, total: page.more ? nil : picked.count, more: page.more)
        }
        return formatter.incidentList(listing, to: nick, mine: mine, on: message.origin.network, now: now(),
                                      listURL: AnnouncementFormatter.listURL(from: listing.incidents))
    }

    // MARK: - !ack, !resolve

    /// `!ack`/`!resolve` on one incident: the change's line in this room is its announcement worded
    /// as the answer; the reply says only what no announcement here says — a change this room is
    /// not routed for, what already was, a failure — in one line.
    ///
    /// On several incidents (`!ack 1 2 3`, or `!ack` alone taking several) the command's room reads
    /// ONE line (issue 12: one line per action): its changes' announcements there are folded into
    /// the answer (``CommandEchoes/Echo/folds``), which names them all with what already was and
    /// the failures. Other rooms get their usual announcement per incident.
    func transitionResponse(_ requested: [Int], to target: IncidentStatus, actor: Actor, message: InboundMessage,
                            priority: DeliveryPriority) async throws -> CommandResponse {
        let name: CommandName = target == .acknowledged ? .ack : .resolve
        let kind: IncidentEventKind = target == .acknowledged ? .acknowledged : .resolved
        let nick = message.isDirect ? nil : message.senderName
        let origin = message.origin
        var wanted = requested
        var head: String?
        if requested.isEmpty {
            let mine = try await triggeredAssigned(to: actor)
            guard !mine.isEmpty else {
                return CommandResponse(RichText(formatter.addressed(nick) + [.plain("nothing triggered is assigned to you — "),
                                                                            .code("\(parser.prefix)incidents"), .plain(" lists what is open")]),
                                       priority, command: name.rawValue)
            }
            wanted = mine
            head = "\(mine.count) assigned to you —"
        }
        let numbers = wanted, headline = head
        let folds = Set(numbers).count > 1
        let echoes = router?.echoes
        let token = echoes?.expect(.init(origin: origin, nick: nick ?? message.senderName, actor: actor.email, numbers: Set(numbers),
                                         kinds: [kind], messageID: message.messageID, headline: headline, folds: folds))
        if let transactional {
            let seen = Mutex<[TransitionOutcome]>([])
            let router = self.router
            let wording = self
            let reply: @Sendable ([TransitionOutcome]) -> OutboxMessage = { outcomes in
                seen.withLock { $0 = outcomes }
                // With something already so, the follow-up (after a read) says everything.
                let hasUnchanged = outcomes.contains { if case .unchanged = $0 { true } else { false } }
                let here = folds ? [] : Set(outcomes.compactMap { outcome -> Int? in
                    guard case .changed(let incident) = outcome, let router,
                          router.destinations(for: wording.probe(kind, incident, actor: actor)).contains(where: { $0.folded == origin.folded })
                    else { return nil }
                    return incident.number
                })
                let text = hasUnchanged ? RichText(lines: [])
                    : wording.outcomeText(outcomes, kind: kind, command: name, actor: actor, nick: nick, network: origin.network,
                                          headline: headline, announcedHere: here, already: [:])
                return OutboxMessage(destination: origin, text: text, priority: priority, inReplyTo: message.messageID)
            }
            do {
                if let items = try await transactional.transition(numbers, to: target, by: actor, reply: reply) {
                    let outcomes = seen.withLock { $0 }
                    let claimed: Set<Int> = token.map { Set(echoes!.finish($0)) } ?? []
                    var response = CommandResponse(RichText(lines: []), priority, command: name.rawValue)
                    response.committed = items
                    if outcomes.contains(where: { if case .unchanged = $0 { true } else { false } }) {
                        let already = await lastChanges(outcomes, to: target)
                        response.followUp = outcomeText(outcomes, kind: kind, command: name, actor: actor, nick: nick, network: origin.network,
                                                        headline: headline, announcedHere: folds ? [] : claimed, already: already)
                    }
                    let here: [RichText] = items.filter { $0.message.destination.folded == origin.folded }.map { $0.message.text }
                    response.text = response.followUp ?? here.first ?? RichText(lines: [])
                    if response.text.lines.isEmpty { response.text = RichText(plain: "\(name.rawValue): done") }
                    return response
                }
            } catch {
                if let token { echoes?.finish(token) }
                throw error
            }
        }
        let outcomes: [TransitionOutcome]
        do {
            outcomes = target == .acknowledged ? try await service.acknowledge(numbers, by: actor) : try await service.resolve(numbers, by: actor)
        } catch {
            if let token { echoes?.finish(token) }
            throw error
        }
        let changed = Set(outcomes.compactMap { if case .changed(let incident) = $0 { incident.number } else { nil } })
        let claimed: Set<Int> = token.map { Set(echoes!.finish($0, silencing: changed)) } ?? []
        let already = await lastChanges(outcomes, to: target)
        let text = outcomeText(outcomes, kind: kind, command: name, actor: actor, nick: nick, network: origin.network,
                               headline: headline, announcedHere: folds ? [] : claimed, already: already)
        var response = CommandResponse(text, priority, command: name.rawValue)
        if text.lines.isEmpty {
            // Every change was announced here as the answer (on PagerDuty: its webhook came back
            // while the command ran): nothing more is stored, but the answer's words stay the
            // response's — the bot's line the chat recorder keeps in the incident's timeline, as
            // `!note` does (`"ack: announced"` there named no incident, so the timeline lost it).
            response.committed = []
            let said = outcomeText(outcomes, kind: kind, command: name, actor: actor, nick: nick, network: origin.network,
                                   headline: headline, announcedHere: [], already: already)
            response.text = said.lines.isEmpty ? RichText(plain: "\(name.rawValue): announced") : said
        }
        return response
    }

    /// Numbers of the triggered incidents assigned to `actor`, newest first, at most the per-command cap.
    func triggeredAssigned(to actor: Actor) async throws -> [Int] {
        let cap = CommandParser.maximumIncidentsPerCommand
        if let queries {
            return try await queries.incidents(in: [.triggered], assignedTo: actor, limit: cap).incidents.map(\.number)
        }
        let page = try await service.openIncidents(limit: 100)
        return page.incidents.filter { $0.status == .triggered && $0.assignee?.lowercased() == actor.email.lowercased() }
            .prefix(cap).map(\.number)
    }

    /// Who put each already-so incident in that state and when (best effort: a failed read
    /// leaves the plain "already acknowledged").
    func lastChanges(_ outcomes: [TransitionOutcome], to target: IncidentStatus) async -> [Int: IncidentChangeRecord] {
        guard let queries else { return [:] }
        var found: [Int: IncidentChangeRecord] = [:]
        for case .unchanged(let incident) in outcomes {
            do {
                if let record = try await queries.lastChange(of: incident.number, to: target) { found[incident.number] = record }
            } catch {
                logger.debug("could not read who changed an incident", metadata: ["incident": "\(incident.number)", "error": "\(error)"])
            }
        }
        return found
    }

    func probe(_ kind: IncidentEventKind, _ incident: Incident, actor: Actor, detail: String? = nil) -> IncidentEvent {
        IncidentEvent(id: "command", kind: kind, incident: incident, actor: actor.email, detail: detail, occurredAt: now())
    }

    /// One line: the changes not announced here, what already was (by whom, how long ago), the
    /// failures — or no line at all when there is nothing left to say.
    func outcomeText(_ outcomes: [TransitionOutcome], kind: IncidentEventKind, command: CommandName, actor: Actor, nick: String?,
                     network: String, headline: String?, announcedHere: Set<Int>, already: [Int: IncidentChangeRecord]) -> RichText {
        let verb = kind == .acknowledged ? "Acknowledged" : "Resolved"
        let state = kind == .acknowledged ? "acknowledged" : "resolved"
        let changed = outcomes.compactMap { if case .changed(let i) = $0, !announcedHere.contains(i.number) { i } else { nil } }
        let unchanged = outcomes.compactMap { if case .unchanged(let i) = $0 { i } else { nil } }
        var failures: [(error: IncidentServiceError, numbers: [Int])] = []
        for case .failed(let number, let error) in outcomes {
            if let index = failures.firstIndex(where: { $0.error == error }) {
                failures[index].numbers.append(number)
            } else {
                failures.append((error, [number]))
            }
        }
        var parts: [[Span]] = []
        let lead = headline.map { [Span.plain("\($0) ")] } ?? []
        if changed.count == 1, unchanged.isEmpty, failures.isEmpty {
            // The whole answer is this change: said like its announcement, details and link included.
            parts.append(formatter.reply(for: probe(kind, changed[0], actor: actor), to: nil, on: network, headline: headline).lines[0])
        } else if changed.count == 1 {
            parts.append(lead + [.tone(.warning, verb), .plain(" "), .bold("#\(changed[0].number)"),
                                 .plain(" \(formatter.cut(changed[0].title))")])
        } else if changed.count > 1 {
            parts.append(lead + [.tone(.warning, verb), .plain(" "), .bold(changed.map { "#\($0.number)" }.joined(separator: ", "))])
        }
        let unknown = unchanged.filter { already[$0.number] == nil }
        if !unknown.isEmpty {
            parts.append([.plain(unknown.map { "#\($0.number)" }.joined(separator: ", ") + " already \(state)")])
        }
        for incident in unchanged {
            guard let record = already[incident.number] else { continue }
            var text = "#\(incident.number) already \(state)"
            if let who = record.actor { text += " by \(formatter.chatNames.name(of: who, on: network))" }
            text += " \(RelativeAge.format(from: record.at, to: now())) ago"
            parts.append([.plain(text)])
        }
        if !failures.isEmpty {
            let text = failures.map { failure in
                let said = "\(failure.error)"
                let named = failure.numbers.count == 1 && said.contains("#\(failure.numbers[0])")
                return named ? said : failure.numbers.map { "#\($0)" }.joined(separator: ", ") + ": " + said
            }.joined(separator: "; ")
            logger.notice("command failed", metadata: ["command": "\(command.rawValue)", "error": "\(text)"])
            parts.append([.tone(.warning, "Failed: "), .plain("\(parser.prefix)\(command.rawValue): \(text)")])
        }
        guard !parts.isEmpty else { return RichText(lines: []) }
        var spans = formatter.addressed(nick)
        for (index, part) in parts.enumerated() {
            if index > 0 { spans.append(.plain("; ")) }
            spans += part
        }
        return RichText(spans)
    }

    // MARK: - !note, !trigger, !reassign, !escalate, !snooze

    /// One change to one incident: announced here as the answer when this room is routed for it,
    /// answered otherwise (and then its later announcement here, by webhook, is left out).
    func echoedChange(_ command: Command, actor: Actor, message: InboundMessage, priority: DeliveryPriority) async throws -> CommandResponse {
        let nick = message.isDirect ? nil : message.senderName
        let kind: IncidentEventKind
        let number: Int?
        switch command {
        case .note(let n, _): (kind, number) = (.annotated, n)
        case .trigger: (kind, number) = (.triggered, nil)
        case .reassign(let n, _): (kind, number) = (.reassigned, n)
        case .escalate(let n, _): (kind, number) = (.escalated, n)
        case .snooze(let n, _): (kind, number) = (.snoozed, n)
        default: throw IncidentServiceError.invalidArgument("\(parser.prefix)\(command.name.rawValue) changes no incident")
        }
        let echoes = router?.echoes
        let token = echoes?.expect(.init(origin: message.origin, nick: nick ?? message.senderName, actor: actor.email,
                                         numbers: number.map { [$0] }, kinds: [kind], messageID: message.messageID))
        let incident: Incident
        var detail: String?
        do {
            switch command {
            case .note(let n, let text):
                incident = try await service.addNote(to: n, content: text, by: actor)
                detail = text
            case .trigger(let serviceName, let summary):
                incident = try await service.trigger(service: serviceName, title: summary, by: actor)
            case .reassign(let n, let user):
                incident = try await service.reassign(n, to: user, by: actor)
                detail = incident.assignee ?? user
            case .escalate(let n, let level):
                incident = try await service.escalate(n, toLevel: level, by: actor)
            case .snooze(let n, let seconds):
                incident = try await service.snooze(n, for: seconds, by: actor)
                detail = SnoozeDuration.format(seconds: seconds)
            default:
                throw IncidentServiceError.invalidArgument("\(parser.prefix)\(command.name.rawValue) changes no incident")
            }
        } catch {
            if let token { echoes?.finish(token) }
            throw error
        }
        let claimed: [Int] = token.map { echoes!.finish($0, silencing: [incident.number]) } ?? []
        let text = formatter.reply(for: probe(kind, incident, actor: actor, detail: detail), to: nick, on: message.origin.network)
        var response = CommandResponse(text, priority, command: command.name.rawValue)
        if claimed.contains(incident.number) {
            // Announced here as the answer already.
            response.committed = []
        }
        return response
    }
}
