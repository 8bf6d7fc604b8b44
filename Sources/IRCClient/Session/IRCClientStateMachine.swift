#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import IRC
import Logging
import TocsinCore

/// Everything one IRC connection decides, as a plain value: registration, rooms, accounts,
/// liveness, flood control, rendering and delivery confirmation.
///
/// It composes smaller machines the way swift-nio-ssh composes key exchange and user auth:
/// ``IRCRegistrationStateMachine`` until the end of the MOTD, then ``IRCRoomTracker``,
/// ``IRCAccountDirectory`` and ``IRCOutgoingQueue``. The NIO side feeds it events with the time
/// they happened and performs the returned ``Action``s; no socket, clock or task lives here, so
/// tests drive a whole session line by line on a virtual timeline.
public struct IRCClientStateMachine: Sendable {
    /// What the connection must do.
    public enum Action: Sendable, Hashable {
        /// Write this line now (the flood budget has already been spent on it). When `delivery`
        /// is set, report the write's outcome with ``writeCompleted(_:success:now:)``.
        case write(IRCMessage, delivery: DeliveryID?)
        /// Add TLS to the connection before anything else is written (after 670).
        case upgradeToTLS
        /// A chat message for the core.
        case inbound(InboundMessage)
        /// Registered and the rooms answered (or a room was (re)joined): wake the dispatcher.
        case ready
        case confirmDelivery(DeliveryID)
        case failDelivery(DeliveryID, TransportError)
        /// Close the connection; the caller reconnects with backoff.
        case close(reason: String)
        /// IRCv3 `sts` on plaintext: the next connections to this host use TLS on `port`
        /// (followed by ``close(reason:)``).
        case upgradeToSTS(port: Int)
        /// IRCv3 `sts` on verified TLS: remember (or, with `.zero`, forget) the host's policy.
        case rememberSTSPolicy(port: Int?, duration: Duration)
        case log(Logger.Level, String)
    }

    /// The WHOX query token that marks our own `WHO #chan %tna,611` replies.
    static let whoxToken = "611"
    /// Longest wait for registration to complete.
    public var registrationTimeout: Duration = .seconds(90)
    /// Longest wait for the first line from the server.
    public var silentServerTimeout: Duration = .seconds(30)
    /// After registration, longest wait for the rooms to answer before calling the session ready.
    public var readyTimeout: Duration = .seconds(15)
    /// How long a room that refused a message (404) is held back before trying again.
    public var sendRefusalHold: Duration = .seconds(60)
    /// Most CTCP answers queued at once; more requests are ignored (CTCP floods).
    public var maxQueuedCTCPReplies = 3

    public let configuration: IRCClientConfiguration
    public private(set) var registration: IRCRegistrationStateMachine
    public private(set) var isupport = ISupport()
    public private(set) var rooms: IRCRoomTracker
    public private(set) var directory = IRCAccountDirectory()
    private var queue: IRCOutgoingQueue
    private let renderer = IRCRenderer()
    private let wallClock: @Sendable () -> Date

    /// Our nick as the server knows it now.
    public private(set) var nick: String
    /// Our `nick!user@host` as others see it, once the server showed it (our JOIN echo, 396).
    public private(set) var selfSource: IRCSource?

    private let connectedAt: ContinuousClock.Instant
    private var lastReceived: ContinuousClock.Instant
    private var pingSentAt: ContinuousClock.Instant?
    private var receivedAnything = false
    private var nextNickRegain: ContinuousClock.Instant?
    private var readyDeadline: ContinuousClock.Instant?
    private var closed = false

    private struct PendingDelivery: Sendable {
        var target: String
        var awaitsEcho: Bool
    }
    private var deliveries: [DeliveryID: PendingDelivery] = [:]
    /// Targets that refused a message (404), until when.
    private var sendBlockedUntil: [String: ContinuousClock.Instant] = [:]

    /// A PRIVMSG/NOTICE written while echo-message is on, waiting for its echo.
    private struct EchoExpectation: Sendable {
        var command: String
        var foldedTarget: String
        var text: String
        var label: String?
        var delivery: DeliveryID?
        var deadline: ContinuousClock.Instant
    }
    private var echoes: [EchoExpectation] = []

    public init(
        configuration: IRCClientConfiguration,
        invitedRooms: [IRCClientConfiguration.Room] = [],
        now: ContinuousClock.Instant,
        wallClock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.registration = IRCRegistrationStateMachine(settings: .init(configuration: configuration))
        self.rooms = IRCRoomTracker(configured: configuration.rooms, invited: invitedRooms)
        self.queue = IRCOutgoingQueue(flood: configuration.flood, now: now)
        self.wallClock = wallClock
        self.nick = configuration.nick
        self.connectedAt = now
        self.lastReceived = now
    }

    // MARK: Queries

    public var network: String { configuration.network }
    public var isRegistered: Bool { registration.isRegistered }
    public var capabilities: Set<String> { registration.enabledCapabilities }
    public var isClosed: Bool { closed }
    public var queuedLineCount: Int { queue.count }

    /// True when the server gives us a way to learn services accounts.
    public var networkHasAccounts: Bool {
        !capabilities.isDisjoint(with: ["account-tag", "extended-join", "account-notify"]) || isupport.whox
    }

    // MARK: Connection events

    /// The TCP/TLS connection is open.
    public mutating func connectionEstablished(now: ContinuousClock.Instant) -> [Action] {
        var actions = apply(registration.start(), now: now)
        actions += pump(now: now)
        // From STARTTLS until the handshake completed nothing else is written (not even a PING).
        if registration.isNegotiatingTLS { queue.isHeld = true }
        return actions
    }

    /// The TLS handshake after STARTTLS finished.
    public mutating func tlsEstablished(now: ContinuousClock.Instant) -> [Action] {
        queue.isHeld = false
        var actions = apply(registration.tlsEstablished(), now: now)
        actions += pump(now: now)
        return actions
    }

    /// Time passed: timers for liveness, registration, rejoins, retries, nick regain, echoes.
    public mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        guard !closed else { return [] }
        var actions: [Action] = []

        let silence = now - lastReceived
        if silence >= configuration.deadAfter {
            return close("no data from the server for \(silence.formattedSeconds); reconnecting")
        }
        if silence >= configuration.pingInterval && pingSentAt == nil {
            pingSentAt = now
            enqueue(IRCMessage(command: "PING", parameters: ["tocsin"]), .protocolMessage)
        }
        if !receivedAnything && now - connectedAt >= silentServerTimeout {
            let hint = configuration.tls == .implicit
                ? " (with tls.mode implicit this usually means the port is not a TLS port)" : ""
            return close("the server sent nothing within \(silentServerTimeout.formattedSeconds)\(hint)")
        }
        if !registration.isRegistered && now - connectedAt >= registrationTimeout {
            return close("registration did not complete within \(registrationTimeout.formattedSeconds) (stuck in \(registration.phase))")
        }

        actions += apply(registration.tick(now: now), now: now)

        if registration.isRegistered {
            for join in rooms.joinsDue(now: now, isupport: isupport) {
                enqueue(join, .protocolMessage)
            }
            if let readyDeadline, now >= readyDeadline {
                self.readyDeadline = nil
                actions.append(.ready)
            }
            if let regain = nextNickRegain, now >= regain {
                actions += tryRegainNick(now: now)
            }
        }

        actions += expireEchoes(now: now)
        actions += pump(now: now)
        return actions
    }

    /// A message from the server.
    public mutating func receive(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard !closed else { return [] }
        lastReceived = now
        pingSentAt = nil
        receivedAnything = true
        var actions: [Action] = []

        actions += apply(registration.receive(message, now: now), now: now)
        guard !closed else { return actions }

        // Before 001 the server has not accepted us: only registration (above), PING and ERROR
        // mean anything. A PRIVMSG, JOIN or INVITE now is forged (or a broken server) and is
        // never handed to the core.
        if !registration.isWelcomed, message.command != "PING", message.command != "ERROR" {
            if ["PRIVMSG", "NOTICE", "JOIN", "PART", "KICK", "INVITE", "NICK", "QUIT", "ACCOUNT"].contains(message.command),
               message.source.map({ !$0.isServer }) ?? false {
                actions.append(.log(.warning, "ignoring \(message.command) from \(message.source?.nick ?? "?") received before registration completed (001)"))
            }
            return actions + pump(now: now)
        }

        switch message.command {
        case "PING":
            enqueue(IRCMessage(command: "PONG", parameters: message.parameters), .protocolMessage)
        case "ERROR":
            // The server is closing the link (RFC 2812 §3.7.4); it says why.
            actions += close("server sent ERROR: \(message.parameters.last ?? "")")
            return actions
        case IRCNumeric.welcome:
            if let me = message.parameters.first { nick = me }
        case IRCNumeric.isupport:
            receiveISupport(message)
        case "396":
            // RPL_VISIBLEHOST / RPL_HOSTHIDDEN: <nick> <host> :is now your displayed host
            if message.parameters.count >= 2 {
                selfSource = IRCSource(nick: nick, user: selfSource?.user ?? "~\(configuration.username)", host: message.parameters[1])
            }
        case "JOIN":
            actions += receiveJoin(message, now: now)
        case "PART":
            actions += receivePart(message, now: now)
        case "KICK":
            actions += receiveKick(message, now: now)
        case "QUIT":
            actions += receiveQuit(message, now: now)
        case "NICK":
            actions += receiveNick(message, now: now)
        case "ACCOUNT":
            if let source = message.source, let account = message.parameters.first {
                directory.setAccount(account == "*" ? nil : account, for: source.nick)
            }
        case "INVITE":
            actions += receiveInvite(message, now: now)
        case "PRIVMSG", "NOTICE":
            actions += receiveText(message, now: now)
        case IRCNumeric.namesReply:
            receiveNames(message)
        case IRCNumeric.whoSpecialReply:
            receiveWHOX(message)
        case IRCNumeric.channelIsFull, IRCNumeric.inviteOnlyChannel, IRCNumeric.bannedFromChannel,
             IRCNumeric.badChannelKey, IRCNumeric.tooManyChannels, IRCNumeric.noSuchChannel,
             IRCNumeric.unavailableResource, "477", "489", "520":
            actions += receiveJoinRefusal(message, now: now)
        case IRCNumeric.cannotSendToChannel, IRCNumeric.noSuchNick:
            actions += receiveSendRefusal(message, now: now)
        case IRCNumeric.nicknameInUse, IRCNumeric.erroneousNickname, IRCNumeric.nickCollision:
            if registration.isRegistered {
                actions.append(.log(.debug, "still cannot take nick \(configuration.nick): \(message.parameters.last ?? "")"))
            }
        default:
            break
        }

        actions += pump(now: now)
        return actions
    }

    /// The connection is gone: every pending delivery fails so the outbox keeps it.
    public mutating func connectionClosed() -> [Action] {
        closed = true
        let failed = deliveries.keys.sorted().map { Action.failDelivery($0, .notConnected(network: network)) }
        deliveries = [:]
        echoes = []
        return failed
    }

    // MARK: Deliveries

    /// Queues one outbox item. Fails at once when not registered or not in the room.
    public mutating func deliver(_ item: OutboxItem, id: DeliveryID, now: ContinuousClock.Instant) -> [Action] {
        guard registration.isRegistered, !closed else {
            return [.failDelivery(id, .notConnected(network: network))]
        }
        let target: String
        let foldedTarget: String
        switch item.message.destination.conversation {
        case .room(let name):
            guard rooms.isJoined(name) else {
                return [.failDelivery(id, .notInRoom(network: network, room: name))]
            }
            target = rooms.room(name)?.name ?? name
            foldedTarget = isupport.caseMapping.fold(target)
            if let until = sendBlockedUntil[foldedTarget] {
                guard now >= until else { return [.failDelivery(id, .notInRoom(network: network, room: name))] }
                sendBlockedUntil[foldedTarget] = nil
            }
        case .direct(let peer):
            target = peer
            foldedTarget = isupport.caseMapping.fold(peer)
        }
        let command = configuration.replyAsNotice && item.message.priority.isReply ? "NOTICE" : "PRIVMSG"
        let prefix = selfSource?.raw ?? IRCLineSplitter.pessimisticPrefix(nick: nick, user: configuration.username)
        let budget = IRCLineSplitter.textBudget(
            target: target, command: command, selfPrefix: prefix, lineLength: isupport.lineLength)
        let texts = renderer.render(item.message.text, budget: budget)
        guard !texts.isEmpty else {
            return [.log(.debug, "item \(item.id) renders to no text; nothing to send"), .confirmDelivery(id)]
        }

        var tags: [IRCTag] = []
        if capabilities.contains("message-tags"), let reply = item.message.inReplyTo, !reply.isEmpty {
            tags.append(IRCTag(key: "+draft/reply", value: reply))
        }
        let awaitsEcho = capabilities.contains("echo-message")
        deliveries[id] = PendingDelivery(target: foldedTarget, awaitsEcho: awaitsEcho)
        for (index, text) in texts.enumerated() {
            var lineTags = tags
            let isLast = index == texts.count - 1
            if isLast && awaitsEcho && capabilities.contains("labeled-response") {
                lineTags.append(IRCTag(key: "label", value: "tocsin\(id.rawValue)"))
            }
            let message = IRCMessage(command: command, parameters: [target, text], tags: lineTags)
            queue.enqueue(IRCQueuedLine(
                message: message, priority: .delivery(item.message.priority), delivery: id, isLastOfDelivery: isLast))
        }
        return pump(now: now)
    }

    /// The outcome of writing the last line of a delivery.
    public mutating func writeCompleted(_ id: DeliveryID, success: Bool, now: ContinuousClock.Instant) -> [Action] {
        guard let pending = deliveries[id] else { return [] }
        guard success else {
            deliveries[id] = nil
            echoes.removeAll { $0.delivery == id }
            return [.failDelivery(id, .notConnected(network: network))]
        }
        if pending.awaitsEcho { return [] }
        deliveries[id] = nil
        guard registration.isRegistered, !closed else {
            return [.failDelivery(id, .notConnected(network: network))]
        }
        return [.confirmDelivery(id)]
    }

    // MARK: Output

    private mutating func enqueue(_ message: IRCMessage, _ priority: IRCOutgoingPriority) {
        queue.enqueue(IRCQueuedLine(message: message, priority: priority))
    }

    /// Lets out whatever the flood budget allows.
    private mutating func pump(now: ContinuousClock.Instant) -> [Action] {
        guard !closed else { return [] }
        var actions: [Action] = []
        for line in queue.dequeueReady(at: now) {
            let message = line.message
            if capabilities.contains("echo-message"), message.command == "PRIVMSG" || message.command == "NOTICE",
               message.parameters.count >= 2 {
                echoes.append(EchoExpectation(
                    command: message.command,
                    foldedTarget: isupport.caseMapping.fold(message.parameters[0]),
                    text: message.parameters[1],
                    label: message.tag("label"),
                    delivery: line.isLastOfDelivery ? line.delivery : nil,
                    deadline: now + configuration.confirmationTimeout))
            }
            actions.append(.write(message, delivery: line.isLastOfDelivery ? line.delivery : nil))
        }
        return actions
    }

    private mutating func close(_ reason: String) -> [Action] {
        guard !closed else { return [] }
        return [.close(reason: reason)] + connectionClosed()
    }

    // MARK: Registration outputs

    private mutating func apply(_ outputs: [IRCRegistrationStateMachine.Output], now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        for output in outputs {
            switch output {
            case .send(let message):
                enqueue(message, .protocolMessage)
            case .upgradeToTLS:
                queue.isHeld = true
                actions.append(.upgradeToTLS)
            case .registered(let result):
                actions += registered(result, now: now)
            case .capabilitiesChanged(let caps):
                actions.append(.log(.info, "capabilities now: \(caps.sorted().joined(separator: " "))"))
            case .log(let level, let text):
                actions.append(.log(level, text))
            case .fail(let reason):
                actions += close(reason)
            case .stsUpgrade(let port):
                actions.append(.upgradeToSTS(port: port))
                actions += close("the server requires TLS (IRCv3 sts); reconnecting with TLS to port \(port)")
            case .stsPolicy(let port, let duration):
                actions.append(.rememberSTSPolicy(port: port, duration: duration))
            }
        }
        return actions
    }

    private mutating func registered(_ result: IRCRegistrationStateMachine.Registration, now: ContinuousClock.Instant) -> [Action] {
        nick = result.nick
        var actions: [Action] = [.log(.info, "ready as \(nick); capabilities: \(result.capabilities.sorted().joined(separator: " "))")]
        if !networkHasAccounts {
            actions.append(.log(.notice, "this network offers no services accounts (no account-tag, extended-join, account-notify or WHOX): commands that need an identity will be refused"))
        }
        if let password = configuration.nickServPassword, result.account == nil {
            let account: String
            if case .plain(let saslAccount, _)? = configuration.sasl { account = saslAccount } else { account = configuration.nick }
            enqueue(IRCMessage(command: "PRIVMSG", parameters: ["NickServ", "IDENTIFY \(account) \(password)"]), .protocolMessage)
            actions.append(.log(.info, "identifying to NickServ as \(account)"))
        }
        if !isupport.caseMapping.equal(nick, configuration.nick) {
            nextNickRegain = now + configuration.regainNickInterval
        }
        for join in rooms.joinsDue(now: now, isupport: isupport) {
            enqueue(join, .protocolMessage)
        }
        if rooms.hasJoinsInFlight {
            readyDeadline = now + readyTimeout
        } else {
            actions.append(.ready)
        }
        return actions
    }

    private mutating func receiveISupport(_ message: IRCMessage) {
        isupport.apply(message)
        rooms.setCaseMapping(isupport.caseMapping)
        directory.setCaseMapping(isupport.caseMapping)
    }

    // MARK: Nicks

    private func isMe(_ nick: String) -> Bool {
        isupport.caseMapping.equal(nick, self.nick)
    }

    private mutating func tryRegainNick(now: ContinuousClock.Instant) -> [Action] {
        guard !isupport.caseMapping.equal(nick, configuration.nick) else {
            nextNickRegain = nil
            return []
        }
        nextNickRegain = now + configuration.regainNickInterval
        enqueue(IRCMessage(command: "NICK", parameters: [configuration.nick]), .protocolMessage)
        return [.log(.debug, "trying to get nick \(configuration.nick) back")]
    }

    private mutating func receiveNick(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard let source = message.source, let newNick = message.parameters.first else { return [] }
        if isMe(source.nick) {
            nick = newNick
            if let own = selfSource { selfSource = IRCSource(nick: newNick, user: own.user, host: own.host) }
            if isupport.caseMapping.equal(newNick, configuration.nick) {
                nextNickRegain = nil
                return [.log(.info, "got nick \(newNick) back")]
            }
            return [.log(.notice, "now known as \(newNick)")]
        }
        directory.renamed(source.nick, to: newNick)
        if registration.isRegistered, isupport.caseMapping.equal(source.nick, configuration.nick) {
            return tryRegainNick(now: now)
        }
        return []
    }

    private mutating func receiveQuit(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard let source = message.source else { return [] }
        directory.quit(source.nick)
        if registration.isRegistered, !isMe(source.nick), isupport.caseMapping.equal(source.nick, configuration.nick) {
            return tryRegainNick(now: now)
        }
        return []
    }

    // MARK: Rooms

    private mutating func receiveJoin(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard let source = message.source, let channel = message.parameters.first else { return [] }
        // extended-join: JOIN <channel> <account|*> :<realname>
        let account: String?? = capabilities.contains("extended-join") && message.parameters.count >= 2
            ? .some(message.parameters[1] == "*" ? nil : message.parameters[1]) : nil
        guard isMe(source.nick) else {
            directory.joined(source.nick, channel: channel, account: account)
            return []
        }
        if source.user != nil, source.host != nil { selfSource = source }
        let (name, isNew) = rooms.joined(channel)
        directory.selfJoined(channel)
        sendBlockedUntil[isupport.caseMapping.fold(channel)] = nil
        var actions: [Action] = [.log(.info, "joined \(name)")]
        if isupport.whox && !capabilities.contains("account-tag") {
            enqueue(IRCMessage(command: "WHO", parameters: [channel, "%tna,\(Self.whoxToken)"]), .protocolMessage)
        }
        if readyDeadline != nil {
            if !rooms.hasJoinsInFlight {
                readyDeadline = nil
                actions.append(.ready)
            }
        } else if isNew && registration.isRegistered {
            actions.append(.ready)
        }
        return actions
    }

    private mutating func receivePart(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard let source = message.source, let channel = message.parameters.first else { return [] }
        guard isMe(source.nick) else {
            directory.parted(source.nick, channel: channel)
            return []
        }
        directory.selfLeft(channel)
        let reason = message.parameters.count >= 2 ? message.parameters[1] : "parted"
        rooms.removed(from: channel, reason: "parted: \(reason)", rejoinAfter: configuration.rejoinAfterKick, now: now)
        return [.log(.warning, "left \(rooms.canonicalName(channel)) (\(reason))")]
    }

    private mutating func receiveKick(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard message.parameters.count >= 2 else { return [] }
        let channel = message.parameters[0]
        let victim = message.parameters[1]
        guard isMe(victim) else {
            directory.parted(victim, channel: channel)
            return []
        }
        let reason = message.parameters.count >= 3 ? message.parameters[2] : ""
        let by = message.source?.nick ?? "?"
        let name = rooms.canonicalName(channel)
        directory.selfLeft(channel)
        rooms.removed(from: channel, reason: "kicked by \(by): \(reason)", rejoinAfter: configuration.rejoinAfterKick, now: now)
        let failures = failDeliveries(toFolded: isupport.caseMapping.fold(channel), with: .notInRoom(network: network, room: name))
        if let delay = configuration.rejoinAfterKick {
            return [.log(.warning, "kicked from \(name) by \(by) (\(reason)); rejoining in \(delay.formattedSeconds)")] + failures
        }
        return [.log(.warning, "kicked from \(name) by \(by) (\(reason)); not rejoining (rejoin_after_kick_seconds is not set)")] + failures
    }

    private mutating func receiveJoinRefusal(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        // <numeric> <nick> <channel> :<reason>
        guard message.parameters.count >= 2 else { return [] }
        let channel = message.parameters[1]
        guard rooms.room(channel) != nil, isupport.isChannel(channel) || message.command != IRCNumeric.unavailableResource else {
            return []
        }
        let reason = message.parameters.last ?? ""
        let explanation: String
        switch message.command {
        case IRCNumeric.channelIsFull: explanation = "the channel is full (+l)"
        case IRCNumeric.inviteOnlyChannel: explanation = "the channel is invite-only (+i): invite the bot or add an invite exception"
        case IRCNumeric.bannedFromChannel: explanation = "the bot is banned (+b)"
        case IRCNumeric.badChannelKey: explanation = "wrong or missing channel key (+k): set the room's key in the configuration"
        case "477": explanation = "the channel needs a registered/identified nick: configure SASL or NickServ"
        case IRCNumeric.tooManyChannels: explanation = "the bot is in too many channels (CHANLIMIT)"
        default: explanation = "the server refused the join"
        }
        guard let delay = rooms.joinRefused(channel, reason: reason, now: now) else { return [] }
        var actions: [Action] = [.log(.warning, "cannot join \(rooms.canonicalName(channel)): \(explanation) (\(message.command) \(reason)); retrying in \(delay.formattedSeconds)")]
        if readyDeadline != nil && !rooms.hasJoinsInFlight {
            readyDeadline = nil
            actions.append(.ready)
        }
        return actions
    }

    private mutating func receiveInvite(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        // INVITE <nick> <channel>; with invite-notify also for others, which we ignore.
        guard message.parameters.count >= 2, let source = message.source, isMe(message.parameters[0]) else { return [] }
        let channel = message.parameters[1]
        let inviter = resolveIdentity(of: message, nick: source.nick).identity
        guard configuration.invites.allows(room: channel, inviter: inviter) else {
            return [.log(.notice, "ignoring invitation to \(channel) from \(source.nick) (\(inviter?.description ?? "no services account")): not allowed by the invite policy")]
        }
        guard rooms.invited(to: channel) else { return [] }
        for join in rooms.joinsDue(now: now, isupport: isupport) {
            enqueue(join, .protocolMessage)
        }
        return [.log(.info, "invited to \(channel) by \(source.nick) (\(inviter?.description ?? "no services account")); joining")]
    }

    private mutating func receiveNames(_ message: IRCMessage) {
        // 353 <nick> <symbol> <channel> :[prefix]nick …
        guard message.parameters.count >= 4 else { return }
        let symbols = Set(isupport.prefix.map(\.symbol))
        let nicks = message.parameters[3].split(separator: " ").map { entry in
            let name = entry.drop { symbols.contains($0) }
            // userhost-in-names is not requested, but be tolerant.
            return String(name.prefix { $0 != "!" })
        }
        directory.names(nicks.filter { !isMe($0) }, channel: message.parameters[2])
    }

    private mutating func receiveWHOX(_ message: IRCMessage) {
        // 354 <me> 611 <nick> <account|0>
        guard message.parameters.count >= 4, message.parameters[1] == Self.whoxToken else { return }
        let account = message.parameters[3]
        directory.setAccount(account == "0" || account == "*" ? nil : account, for: message.parameters[2])
    }

    // MARK: Messages

    /// Identity of the sender of `message`, or why there is none.
    public func resolveIdentity(of message: IRCMessage, nick: String) -> (identity: ChatIdentity?, reason: String?) {
        let notLoggedIn = "you are not logged in to a services account on \(network); identify to NickServ (or use SASL) and try again"
        if capabilities.contains("account-tag") {
            if let account = message.account { return (.irc(network: network, account: account), nil) }
            return (nil, notLoggedIn)
        }
        if networkHasAccounts {
            switch directory.account(of: nick) {
            case .loggedIn(let account): return (.irc(network: network, account: account), nil)
            case .notLoggedIn: return (nil, notLoggedIn)
            case .unknown: return (nil, "your services account on \(network) is not known to the bot yet (share a channel with it, then try again)")
            }
        }
        return (nil, "this IRC network offers no services accounts")
    }

    private mutating func receiveText(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard message.parameters.count >= 2, let source = message.source, !source.isServer else { return [] }
        let target = message.parameters[0]
        let text = message.parameters[1]

        if isMe(source.nick) {
            return receiveEcho(message)
        }
        if capabilities.contains("account-tag") {
            directory.setAccount(message.account, for: source.nick)
        }
        guard message.command == "PRIVMSG" else { return [] }  // never answer NOTICEs (RFC 2812 §3.3.2)

        if let ctcp = CTCP.parse(text) {
            return answerCTCP(ctcp.command, argument: ctcp.argument, to: source.nick)
        }

        let conversation: Conversation
        if let channel = channelName(target) {
            conversation = .room(rooms.canonicalName(channel))
        } else if isMe(target) {
            conversation = .direct(source.nick)
        } else {
            return []
        }
        let (identity, reason) = resolveIdentity(of: message, nick: source.nick)
        let inbound = InboundMessage(
            origin: ChatDestination(network: network, conversation: conversation),
            senderName: source.nick,
            identity: identity,
            identityUnavailableReason: identity == nil ? reason : nil,
            text: IRCText.stripFormatting(text),
            messageID: message.msgid,
            botNames: [nick])
        return [.inbound(inbound)]
    }

    /// The channel a message went to, without a STATUSMSG prefix (`@#ops`), or nil for a nick.
    private func channelName(_ target: String) -> String? {
        if isupport.isChannel(target) { return target }
        let symbols = Set(isupport.prefix.map(\.symbol))
        let stripped = String(target.drop { symbols.contains($0) })
        return stripped != target && isupport.isChannel(stripped) ? stripped : nil
    }

    private mutating func answerCTCP(_ command: String, argument: String?, to nick: String) -> [Action] {
        let reply: String
        switch command {
        case "VERSION": reply = CTCP.encode(command: "VERSION", argument: "Tocsin incident gateway")
        case "PING": reply = CTCP.encode(command: "PING", argument: argument)
        case "TIME": reply = CTCP.encode(command: "TIME", argument: Self.ctcpTime(wallClock()))
        default: return []  // ACTION and the rest: nothing to say
        }
        guard queue.count(of: .ctcpReply) < maxQueuedCTCPReplies else {
            return [.log(.debug, "ignoring CTCP \(command) from \(nick): too many queued")]
        }
        enqueue(IRCMessage(command: "NOTICE", parameters: [nick, reply]), .ctcpReply)
        return []
    }

    static func ctcpTime(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970)
        let days = seconds / 86_400
        let rest = seconds % 86_400
        // Civil date from days since the epoch (H. Hinnant).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(rest / 3600)):\(two(rest % 3600 / 60)):\(two(rest % 60))Z"
    }

    // MARK: Echo confirmation

    private mutating func receiveEcho(_ message: IRCMessage) -> [Action] {
        guard capabilities.contains("echo-message"), message.parameters.count >= 2 else { return [] }
        let folded = isupport.caseMapping.fold(message.parameters[0])
        let text = message.parameters[1]
        let index: Int?
        if let label = message.tag("label"), !label.isEmpty {
            index = echoes.firstIndex { $0.label == label }
        } else {
            // Labelled lines come back with their label; the others are matched in order.
            index = echoes.firstIndex { $0.label == nil && $0.command == message.command && $0.foldedTarget == folded && $0.text == text }
                // The server may alter text (colour stripping): the oldest line to that target is it.
                ?? echoes.firstIndex { $0.command == message.command && $0.foldedTarget == folded && $0.label == nil }
        }
        guard let index else { return [] }
        let expectation = echoes.remove(at: index)
        guard let id = expectation.delivery, deliveries.removeValue(forKey: id) != nil else { return [] }
        return [.confirmDelivery(id)]
    }

    private mutating func expireEchoes(now: ContinuousClock.Instant) -> [Action] {
        let expired = echoes.filter { $0.deadline <= now }
        guard !expired.isEmpty else { return [] }
        echoes.removeAll { $0.deadline <= now }
        return expired.compactMap { expectation in
            guard let id = expectation.delivery, deliveries.removeValue(forKey: id) != nil else { return nil }
            return .failDelivery(id, .timedOut(network: network))
        }
    }

    /// Fails every delivery to `target` that is still queued or waiting for its echo: the server
    /// will not take them (we were kicked, or it answered 404), and the outbox will retry.
    private mutating func failDeliveries(toFolded target: String, with error: TransportError) -> [Action] {
        let ids = deliveries.filter { $0.value.target == target }.map(\.key).sorted()
        for id in ids {
            queue.remove(delivery: id)
            deliveries[id] = nil
        }
        echoes.removeAll { $0.foldedTarget == target }
        return ids.map { .failDelivery($0, error) }
    }

    /// 404 ERR_CANNOTSENDTOCHAN (moderated, banned, not in the channel) or 401 ERR_NOSUCHNICK.
    private mutating func receiveSendRefusal(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard message.parameters.count >= 2 else { return [] }
        let target = message.parameters[1]
        let folded = isupport.caseMapping.fold(target)
        let reason = message.parameters.last ?? ""

        // The deliveries concerned: the labelled one, or every one to that target.
        var ids: [DeliveryID] = []
        if let label = message.tag("label"), let index = echoes.firstIndex(where: { $0.label == label }) {
            if let id = echoes.remove(at: index).delivery, deliveries[id] != nil { ids = [id] }
        } else {
            ids = deliveries.filter { $0.value.target == folded }.map(\.key).sorted()
            echoes.removeAll { $0.foldedTarget == folded }
        }
        for id in ids {
            queue.remove(delivery: id)
            deliveries[id] = nil
        }

        if message.command == IRCNumeric.noSuchNick && !isupport.isChannel(target) {
            // The person is gone: a reply to them cannot be delivered later either, and retrying
            // would spend the flood budget on a nick that does not exist.
            return [.log(.notice, "dropping a message to \(target): \(reason)")] + ids.map { .confirmDelivery($0) }
        }
        // Hold this room back for a while instead of writing into a refusal again and again.
        sendBlockedUntil[folded] = now + sendRefusalHold
        let error = TransportError.notInRoom(network: network, room: rooms.canonicalName(target))
        return [.log(.warning, "the server refused a message to \(target) (\(message.command) \(reason)); holding messages for it for \(sendRefusalHold.formattedSeconds)")]
            + ids.map { .failDelivery($0, error) }
    }
}

extension Duration {
    /// `90s`, `2.1s`: for log messages.
    var formattedSeconds: String {
        let (seconds, attoseconds) = components
        let tenths = attoseconds / 100_000_000_000_000_000
        return tenths == 0 ? "\(seconds)s" : "\(seconds).\(tenths)s"
    }
}
