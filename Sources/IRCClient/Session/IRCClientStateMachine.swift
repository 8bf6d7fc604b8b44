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
/// It composes smaller parts the way swift-nio-ssh composes key exchange and user auth. The
/// connection's phase is an ``IRCSessionPhase`` whose cases hold only what exists in that phase:
/// ``IRCRegisteringState`` (registration deadlines) until the end of the MOTD, then
/// ``IRCRegisteredState`` (readiness, ``IRCNickRegain``, ``IRCDeliveryTracker``). Parts that
/// live for the whole connection sit beside it: ``IRCRegistrationStateMachine`` (which also
/// follows cap-notify after registration), ``IRCLiveness``, ``IRCRoomTracker``,
/// ``IRCAccountDirectory``, ``IRCCTCPResponder`` and ``IRCOutgoingQueue``.
///
/// The NIO side feeds it events with the time they happened, performs the returned ``Action``s
/// and calls ``tick(now:)`` at ``nextDeadline(after:)``; no socket, clock or task lives here, so
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
        /// Tell the core what happened to a room (joined, removed): see ``TocsinCore/RoomLifecycle``.
        case room(RoomEvent)
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
    public var maxQueuedCTCPReplies: Int {
        get { ctcp.maxQueuedReplies }
        set { ctcp.maxQueuedReplies = newValue }
    }

    public let configuration: IRCClientConfiguration
    /// Decides invitations (the core's ``TocsinCore/RoomLifecycle``: policy, cap, answer to the
    /// inviter); nil applies ``IRCClientConfiguration/invites`` alone.
    public var invitationDecider: (@Sendable (RoomInvitation) -> InvitationDecision)?
    public internal(set) var registration: IRCRegistrationStateMachine
    public internal(set) var isupport = ISupport()
    public internal(set) var rooms: IRCRoomTracker
    public internal(set) var directory = IRCAccountDirectory()
    var queue: IRCOutgoingQueue
    let renderer = IRCRenderer()
    var ctcp: IRCCTCPResponder
    var liveness: IRCLiveness
    var phase: IRCSessionPhase

    /// Our nick as the server knows it now.
    public internal(set) var nick: String
    /// Our `nick!user@host` as others see it, once the server showed it (our JOIN echo, 396).
    public internal(set) var selfSource: IRCSource?

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
        self.ctcp = IRCCTCPResponder(wallClock: wallClock)
        self.liveness = IRCLiveness(pingInterval: configuration.pingInterval, deadAfter: configuration.deadAfter, now: now)
        self.phase = .registering(IRCRegisteringState(connectedAt: now))
        self.nick = configuration.nick
    }

    // MARK: Queries

    public var network: String { configuration.network }
    public var isRegistered: Bool { registration.isRegistered }
    public var capabilities: Set<String> { registration.enabledCapabilities }
    public var isClosed: Bool {
        if case .closed = phase { return true }
        return false
    }
    public var queuedLineCount: Int { queue.count }

    /// True when the server gives us a way to learn services accounts.
    public var networkHasAccounts: Bool {
        !capabilities.isDisjoint(with: ["account-tag", "extended-join", "account-notify"]) || isupport.whox
    }

    /// The earliest time ``tick(now:)`` has something to do (a flood-control release, a ping or
    /// dead-link check, a registration, join, echo or nick-regain deadline); nil once closed.
    /// A connection that ticks only then is idle when nothing is due.
    public mutating func nextDeadline(after now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        var deadlines: [ContinuousClock.Instant?] = [liveness.nextDeadline, queue.nextRelease(after: now)]
        switch phase {
        case .closed, .modifying:
            return nil
        case .registering(let registering):
            deadlines.append(registering.nextDeadline(silentServerTimeout: silentServerTimeout, registrationTimeout: registrationTimeout))
            deadlines.append(registration.nextDeadline)
        case .registered(let registered):
            if case .awaitingRooms(let deadline) = registered.readiness { deadlines.append(deadline) }
            deadlines.append(registered.nickRegain.nextDeadline)
            deadlines.append(registered.deliveries.nextDeadline)
            deadlines.append(rooms.nextJoinDue(now: now))
        }
        return deadlines.compactMap { $0 }.min()
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

    /// Time passed: timers for liveness, registration, rejoins, retries, nick regain, echoes and
    /// flood control. Calling it early is harmless; ``nextDeadline(after:)`` says when it is due.
    public mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        guard !isClosed else { return [] }
        var actions: [Action] = []

        switch liveness.check(now: now) {
        case .dead(let silence):
            return close("no data from the server for \(silence.formattedSeconds); reconnecting")
        case .sendPing:
            enqueue(IRCMessage(command: "PING", parameters: ["tocsin"]), .protocolMessage)
        case .alive:
            break
        }
        if case .registering(let registering) = phase,
           let expiry = registering.expiry(now: now, silentServerTimeout: silentServerTimeout, registrationTimeout: registrationTimeout) {
            switch expiry {
            case .silentServer:
                let hint = configuration.tls == .implicit
                    ? " (with tls.mode implicit this usually means the port is not a TLS port)" : ""
                return close("the server sent nothing within \(silentServerTimeout.formattedSeconds)\(hint)")
            case .registrationStuck:
                return close("registration did not complete within \(registrationTimeout.formattedSeconds) (stuck in \(registration.phase))")
            }
        }

        actions += apply(registration.tick(now: now), now: now)

        if case .registered = phase {
            for join in rooms.joinsDue(now: now, isupport: isupport) {
                enqueue(join, .protocolMessage)
            }
            if modifyRegistered({ $0.readyDeadlinePassed(now: now) }) == true {
                actions.append(.ready)
            }
            if modifyRegistered({ $0.nickRegain.isDue(now: now) }) == true {
                actions += tryRegainNick(now: now)
            }
        }

        actions += expireEchoes(now: now)
        actions += pump(now: now)
        return actions
    }

    /// A message from the server.
    public mutating func receive(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard !isClosed else { return [] }
        liveness.received(at: now)
        if case .registering(var registering) = phase {
            registering.received()
            phase = .registering(registering)
        }
        var actions: [Action] = []

        actions += apply(registration.receive(message, now: now), now: now)
        guard !isClosed else { return actions }

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
        case "MODE":
            actions += receiveMode(message)
        case "PRIVMSG", "NOTICE":
            actions += receiveText(message, now: now)
        case IRCNumeric.namesReply:
            actions += receiveNames(message)
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
        let previous = phase
        phase = .closed
        guard case .registered(var registered) = previous else { return [] }
        return registered.deliveries.failAll().map { .failDelivery($0, .notConnected(network: network)) }
    }

    // MARK: Phase state

    /// Runs `body` on the registered phase's state, if registered. The phase is parked in
    /// `.modifying` meanwhile so the state's storage is not copied on write.
    @discardableResult
    mutating func modifyRegistered<Result>(_ body: (inout IRCRegisteredState) -> Result) -> Result? {
        guard case .registered(var registered) = phase else { return nil }
        phase = .modifying
        defer { phase = .registered(registered) }
        return body(&registered)
    }

    // MARK: Output

    mutating func enqueue(_ message: IRCMessage, _ priority: IRCOutgoingPriority) {
        queue.enqueue(IRCQueuedLine(message: message, priority: priority))
    }

    /// Lets out whatever the flood budget allows.
    mutating func pump(now: ContinuousClock.Instant) -> [Action] {
        guard !isClosed else { return [] }
        var actions: [Action] = []
        let echoMessage = capabilities.contains("echo-message")
        for line in queue.dequeueReady(at: now) {
            let message = line.message
            let delivery = line.isLastOfDelivery ? line.delivery : nil
            if echoMessage, message.command == "PRIVMSG" || message.command == "NOTICE", message.parameters.count >= 2 {
                let expectation = IRCDeliveryTracker.EchoExpectation(
                    command: message.command,
                    foldedTarget: isupport.caseMapping.fold(message.parameters[0]),
                    text: message.parameters[1],
                    label: message.tag("label"),
                    delivery: delivery,
                    deadline: now + configuration.confirmationTimeout)
                modifyRegistered { $0.deliveries.expectEcho(expectation) }
            }
            actions.append(.write(message, delivery: delivery))
        }
        return actions
    }

    mutating func close(_ reason: String) -> [Action] {
        guard !isClosed else { return [] }
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

    /// The end of the MOTD: the phase becomes ``IRCSessionPhase/registered(_:)``.
    private mutating func registered(_ result: IRCRegistrationStateMachine.Registration, now: ContinuousClock.Instant) -> [Action] {
        guard case .registering = phase else { return [] }
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
        let nickRegain = IRCNickRegain(
            wanted: configuration.nick, interval: configuration.regainNickInterval,
            registeredAs: nick, caseMapping: isupport.caseMapping, now: now)
        for join in rooms.joinsDue(now: now, isupport: isupport) {
            enqueue(join, .protocolMessage)
        }
        let readiness: IRCRegisteredState.Readiness
        if rooms.hasJoinsInFlight {
            readiness = .awaitingRooms(deadline: now + readyTimeout)
        } else {
            readiness = .ready
            actions.append(.ready)
        }
        phase = .registered(IRCRegisteredState(readiness: readiness, nickRegain: nickRegain))
        return actions
    }

    // MARK: Nicks

    func isMe(_ nick: String) -> Bool {
        isupport.caseMapping.equal(nick, self.nick)
    }
}
