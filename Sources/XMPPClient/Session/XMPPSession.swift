import Logging
import TocsinCore
import XMPP

/// Everything one XMPP account does, as a plain value: negotiation, stream management, rooms,
/// keepalives, inbound messages and deliveries.
///
/// The connection feeds it events (bytes parsed into stream events, the clock, `deliver` calls,
/// write completions) and carries out the ``Action``s it returns. It owns no socket, no timer
/// and no logger (what to log is an ``Action/log(_:_:_:)`` too, like the IRC machine's), so
/// tests drive it event by event and read its logs from the actions. State that must survive a reconnection — the XEP-0198 queue,
/// the rooms, the deliveries waiting for acknowledgement — lives here; what belongs to one
/// connection lives in ``Connection``.
struct XMPPSession: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// What the connection must do.
    enum Action: Sendable, Equatable {
        /// Write raw text: a stream header, the closing tag, a whitespace keepalive.
        case write(String)
        /// Write an element.
        case send(XMLElement)
        /// Write an element and report ``XMPPSession/writeFlushed(_:now:)`` (or
        /// ``XMPPSession/writeFailed(_:now:)``) for this delivery: confirmation without XEP-0198.
        case sendConfirmingOnFlush(XMLElement, DeliveryToken)
        /// Put TLS in front of the pipeline, then call ``XMPPSession/tlsStarted(now:)``.
        case startTLS
        /// Start a fresh parser; drop what remains of the current read.
        case resetParser
        /// Hand a chat message to the core.
        case inbound(InboundMessage)
        /// The session (or a room) became usable: wake the outbox.
        case ready
        /// A delivery is confirmed.
        case confirm(DeliveryToken)
        /// A delivery failed.
        case fail(DeliveryToken, TransportError)
        /// Close the connection.
        case close(CloseReason)
        /// Tell the core what happened to a room (joined, removed): see ``TocsinCore/RoomLifecycle``.
        case room(RoomEvent)
        /// Log this with the connection's logger (which adds the network); never a secret.
        case log(Logger.Level, String, Logger.Metadata)
    }

    /// Why the connection is closed and what to do next.
    struct CloseReason: Sendable, Equatable, CustomStringConvertible {
        enum Retry: Sendable, Equatable {
            /// Reconnect with the normal backoff.
            case backoff
            /// Reconnect, but after the longest delay: a retry soon would fail the same way.
            case later
            /// Reconnect to another host (stream error `see-other-host`).
            case otherHost(String)
            /// Do not reconnect (graceful shutdown).
            case stop
        }

        var message: String
        var retry: Retry

        var description: String { message }
    }

    /// What a pending iq of ours was for.
    enum PendingRequest: Sendable, Equatable {
        case serverPing
        case selfPing(room: JID)
        case roomConfiguration(room: JID)
        /// XEP-0030 disco#items to our server: which services it hosts.
        case discoItems(server: JID)
        /// XEP-0030 disco#info to one of those services: is it a MUC service?
        case discoInfo(service: JID)
    }

    enum Phase: Sendable {
        case disconnected
        case negotiating(StreamNegotiation)
        case established
        /// Shutdown: our stream end is sent; wait for the server's until `deadline`.
        case closing(deadline: Instant)
    }

    // MARK: Configuration

    let configuration: XMPPClientConfiguration
    /// Decides invitations (the core's ``TocsinCore/RoomLifecycle``: policy, cap, answer to the
    /// inviter); nil applies ``XMPPClientConfiguration/invites`` alone.
    var invitationDecider: (@Sendable (RoomInvitation) -> InvitationDecision)?
    /// How long the session may take to negotiate before the connection is given up.
    var negotiationTimeout: Duration = .seconds(30)
    /// How long to wait for the server's `</stream:stream>` at shutdown.
    var closeTimeout: Duration = .seconds(3)
    /// A single space is written when nothing else was for this long (RFC 6120 §4.6.1).
    var whitespaceInterval: Duration
    /// Prefix of the ids we generate, unique per process so ids of different runs never collide.
    let idPrefix: String
    /// SCRAM nonce for tests.
    var scramNonce: String?

    // MARK: State across connections

    private(set) var phase: Phase = .disconnected
    private(set) var streamManagement = StreamManagementTracker()
    private(set) var rooms: RoomDirectory
    /// Which domains host real rooms (configured, or discovered on our server, cached).
    private(set) var mucServices: MUCServiceTrust
    /// Invitations that arrived before discovery could say whether their room is on a MUC service.
    private(set) var deferredInvitations: [InboundClassifier.Invitation] = []
    /// Deferred invitations kept at most; more are declined (nobody needs to invite a bot that fast).
    static let maximumDeferredInvitations = 8
    /// The full JID bound by the last session.
    private(set) var boundJID: JID?
    /// Deliveries waiting for confirmation, with their deadlines.
    private(set) var pendingDeliveries: [DeliveryToken: Instant] = [:]
    /// Room deliveries confirmed by the room's reflection of our message (XEP-0045 §7.2.3), not by
    /// XEP-0198: origin-id (XEP-0359) → the room and the delivery. See ``reflection(of:now:)``.
    private(set) var awaitingReflection: [String: AwaitedReflection] = [:]
    /// The origin-id each delivery in ``awaitingReflection`` waits for.
    private var reflectionIDs: [DeliveryToken: String] = [:]
    /// Messages of a lost session to send again once the new one (and their room) is ready.
    private(set) var held: [StreamManagementTracker.Unacknowledged] = []
    /// Recent inbound message ids → author, so a reply can name its target (XEP-0461).
    private var recentAuthors: [String: JID] = [:]
    private var recentAuthorOrder: [String] = []

    // MARK: State of the current connection

    private(set) var lastReceived: Instant?
    /// Negotiation must finish by then however the server trickles its answers (slow-loris).
    private(set) var negotiationDeadline: Instant?
    private(set) var lastSent: Instant?
    private var nextServerPing: Instant?
    private var pendingRequests: [String: (PendingRequest, Instant)] = [:]
    /// An `<r/>` was sent and its `<a/>` has not come yet.
    private var ackRequestOutstanding = false
    private var nextID = 0
    private var establishedAt: Instant?

    /// Room messages confirmed by their reflection carry no `<r/>` of their own (XEP-0198 §4
    /// leaves the rate of requests to the client): the server is asked when this many stanzas
    /// wait for an acknowledgement and no request is out, and with every server ping
    /// (``XMPPClientConfiguration/pingInterval``) and direct message. So the queue kept for
    /// resumption stays short, and no timer wakes the connection for it. (A 2 s deadline and a
    /// threshold of 8 cost ~2 context switches per `!ack` more than none: docs/benchmarks.md.)
    static let ackRequestThreshold = 32

    /// A room delivery waiting for its reflection.
    struct AwaitedReflection: Sendable, Equatable {
        /// The room's bare JID: the reflection must come from it, with our nickname.
        var room: JID
        var token: DeliveryToken
    }

    private let renderer = XMPPRenderer()
    private let responder = IQResponder()
    private let classifier: InboundClassifier

    init(configuration: XMPPClientConfiguration, idPrefix: String? = nil) {
        self.configuration = configuration
        self.idPrefix = idPrefix ?? Self.randomPrefix()
        whitespaceInterval = min(configuration.pingInterval / 2, .seconds(30))
        rooms = RoomDirectory(configured: configuration.rooms, nick: configuration.nick, rejoinAfterKick: configuration.rejoinAfterKick)
        classifier = InboundClassifier(network: configuration.network, account: configuration.jid)
        mucServices = MUCServiceTrust(configured: configuration.configuredMUCServices)
    }

    var network: String { configuration.network }

    var isEstablished: Bool {
        if case .established = phase { return true }
        return false
    }

    /// When the current session became established, for backoff resets.
    var establishedSince: Instant? { isEstablished ? establishedAt : nil }

    var isStreamManagementEnabled: Bool { streamManagement.isEnabled }

    // MARK: Connection lifecycle

    /// TCP is up (and TLS, for direct TLS): open the stream.
    mutating func connectionStarted(now: Instant) -> [Action] {
        let settings = StreamNegotiation.Settings(
            jid: configuration.jid,
            password: configuration.password,
            resource: configuration.resource,
            tls: configuration.tls,
            allowPlain: configuration.allowPlain,
            resumption: streamManagement.resumptionID.map {
                StreamNegotiation.Resumption(id: $0, handled: streamManagement.inboundHandled)
            },
            scramNonce: scramNonce)
        var negotiation = StreamNegotiation(settings: settings)
        let actions = negotiation.start()
        phase = .negotiating(negotiation)
        lastReceived = now
        negotiationDeadline = now.advanced(by: negotiationTimeout * 2)
        pendingRequests = [:]
        mucServices.connectionLost()
        return finish(negotiationActions(actions, now: now), now: now)
    }

    /// The TLS handler is installed after `<proceed/>`.
    mutating func tlsStarted(now: Instant) -> [Action] {
        guard case .negotiating(var negotiation) = phase else { return [] }
        let actions = negotiation.tlsStarted()
        phase = .negotiating(negotiation)
        return finish(negotiationActions(actions, now: now), now: now)
    }

    /// The connection is gone (closed by either side, or failed).
    mutating func connectionLost(now: Instant) -> [Action] {
        var actions: [Action] = []
        if case .established = phase {
            actions.append(.log(.notice, "connection lost", ["resumable": "\(streamManagement.canResume)"]))
        }
        phase = .disconnected
        pendingRequests = [:]
        mucServices.connectionLost()
        nextServerPing = nil
        establishedAt = nil
        ackRequestOutstanding = false
        return actions
    }

    /// The inbound stream could not be parsed: tell the server why and close (RFC 6120 §4.9).
    mutating func parserFailed(_ error: XMPPStreamError, now: Instant) -> [Action] {
        streamManagement.forgetResumption()
        return finish([.log(.error, "unreadable data from the server", ["error": "\(error)"]),
                       .send(error.streamError.element), .write(StreamHeader.close),
                       .close(CloseReason(message: error.description, retry: .backoff))], now: now)
    }

    /// Graceful shutdown: leave with unavailable presence and close the stream (RFC 6120 §4.4).
    mutating func shutdown(now: Instant) -> [Action] {
        switch phase {
        case .established:
            var actions = sendStanza(Stanza.presence(type: .unavailable), delivery: nil)
            if streamManagement.isEnabled { actions.append(requestAck()) }
            actions.append(.write(StreamHeader.close))
            streamManagement.forgetResumption()
            phase = .closing(deadline: now.advanced(by: closeTimeout))
            actions.append(.log(.info, "closing the stream", [:]))
            return finish(actions, now: now)
        case .negotiating:
            phase = .disconnected
            return [.write(StreamHeader.close), .close(CloseReason(message: "shutting down", retry: .stop))]
        case .closing, .disconnected:
            return []
        }
    }

    // MARK: Inbound

    /// A parser event from the server.
    mutating func receive(_ event: XMPPStreamEvent, now: Instant) -> [Action] {
        lastReceived = now
        switch event {
        case .streamOpened:
            guard case .negotiating(var negotiation) = phase else { return [] }
            do throws(NegotiationError) {
                let actions = try negotiation.streamOpened()
                phase = .negotiating(negotiation)
                return finish(negotiationActions(actions, now: now), now: now)
            } catch {
                return negotiationFailed(error, now: now)
            }

        case .streamClosed:
            if case .closing = phase {
                return [.close(CloseReason(message: "stream closed", retry: .stop))]
            }
            streamManagement.forgetResumption()
            return finish([.write(StreamHeader.close), .close(CloseReason(message: "the server closed the stream", retry: .backoff))], now: now)

        case .stanza(let element):
            if let error = StreamError(element: element) {
                return streamError(error, now: now)
            }
            switch phase {
            case .negotiating(var negotiation):
                do throws(NegotiationError) {
                    let actions = try negotiation.receive(element)
                    phase = .negotiating(negotiation)
                    return finish(negotiationActions(actions, now: now), now: now)
                } catch {
                    return negotiationFailed(error, now: now)
                }
            case .established, .closing:
                return finish(handleEstablished(element, now: now), now: now)
            case .disconnected:
                return []
            }
        }
    }

    private mutating func negotiationActions(_ actions: [StreamNegotiation.Action], now: Instant) -> [Action] {
        var result: [Action] = []
        for action in actions {
            switch action {
            case .write(let text): result.append(.write(text))
            case .send(let element): result.append(.send(element))
            case .startTLS: result.append(.startTLS)
            case .resetParser: result.append(.resetParser)
            case .established(let outcome):
                if case .negotiating(let negotiation) = phase, let mechanism = negotiation.authenticatedWith {
                    result.append(.log(.debug, "authenticated", [
                        "mechanism": "\(mechanism.rawValue)", "offered": "\(negotiation.offeredMechanisms.joined(separator: " "))",
                        "tls": "\(negotiation.isEncrypted)",
                    ]))
                }
                result += established(outcome, now: now)
            }
        }
        return result
    }

    private mutating func negotiationFailed(_ error: NegotiationError, now: Instant) -> [Action] {
        phase = .disconnected
        return [.log(.error, "XMPP negotiation failed", ["error": "\(error)"]),
                .write(StreamHeader.close),
                .close(CloseReason(message: error.description, retry: error.isPersistent ? .later : .backoff))]
    }

    private mutating func streamError(_ error: StreamError, now: Instant) -> [Action] {
        streamManagement.forgetResumption()
        let retry: CloseReason.Retry
        let log: Action
        switch error.condition {
        case "see-other-host":
            retry = error.seeOtherHost.map { .otherHost($0) } ?? .backoff
            log = .log(.warning, "the server redirects to another host", ["error": "\(error)"])
        case "conflict":
            // Another live client holds our resource: reconnecting at once would only kick it
            // and be kicked back, so wait the longest backoff.
            retry = .later
            log = .log(.error, "the server closed the stream: another client logged in with the same resource", [
                "error": "\(error)", "resource": "\(configuration.resource)",
            ])
        case "system-shutdown":
            retry = .backoff
            log = .log(.warning, "the server is shutting down", ["error": "\(error)"])
        case "not-authorized", "policy-violation":
            retry = .later
            log = .log(.error, "the server closed the stream", ["error": "\(error)"])
        default:
            retry = .backoff
            log = .log(.error, "the server closed the stream", ["error": "\(error)"])
        }
        if case .closing = phase { return [log, .close(CloseReason(message: error.description, retry: .stop))] }
        phase = .disconnected
        return finish([log, .write(StreamHeader.close), .close(CloseReason(message: error.description, retry: retry))], now: now)
    }

    // MARK: Established

    private mutating func established(_ outcome: StreamNegotiation.Outcome, now: Instant) -> [Action] {
        phase = .established
        establishedAt = now
        nextServerPing = now.advanced(by: configuration.pingInterval)
        ackRequestOutstanding = false
        var actions: [Action] = []
        switch outcome.streamManagement {
        case .resumed(let handled):
            do throws(StreamManagementError) {
                let (confirmed, resend) = try streamManagement.resumed(handled: handled)
                actions += confirmedByAck(confirmed)
                // The queued stanzas are still counted: write them again without re-queuing.
                actions += resend.map { .send($0.element) }
                if !resend.isEmpty { actions.append(requestAck()) }
                actions.append(.log(.info, "XMPP stream resumed", ["jid": "\(boundJID?.description ?? outcome.boundJID.description)", "resent": "\(resend.count)"]))
                actions += discoverMUCServices(now: now)
                actions.append(.ready)
                return actions
            } catch {
                return handledCountTooHigh(error)
            }

        case .enabled(let resumptionID, let maxSeconds, let resumeFailed):
            if resumeFailed != nil { actions.append(.log(.notice, "the server could not resume the stream; starting a new session", [:])) }
            actions += abandonPreviousStream(handled: resumeFailed?.handled)
            streamManagement.enabled(resumptionID: resumptionID)
            actions.append(.log(.info, "XMPP session established", [
                "jid": "\(outcome.boundJID)", "stream_management": "enabled",
                "resumable": "\(resumptionID != nil)", "resume_max_seconds": "\(maxSeconds.map(String.init) ?? "-")",
            ]))

        case .unavailable(let resumeFailed):
            if resumeFailed != nil { actions.append(.log(.notice, "the server could not resume the stream; starting a new session", [:])) }
            actions += abandonPreviousStream(handled: resumeFailed?.handled)
            actions.append(.log(.info, "XMPP session established", ["jid": "\(outcome.boundJID)", "stream_management": "unavailable"]))
        }
        boundJID = outcome.boundJID
        actions += sendStanza(Stanza.presence(), delivery: nil)
        actions += roomEvents(rooms.sessionStarted(now: now), now: now)
        actions += discoverMUCServices(now: now)
        actions += sendHeld(room: nil, now: now)
        actions.append(.ready)
        return actions
    }

    /// A new session replaces the old stream: what it acknowledged is confirmed, the messages it
    /// did not are held for resending; other stanzas (presence, iq) are not worth repeating.
    private mutating func abandonPreviousStream(handled: UInt32?) -> [Action] {
        let (confirmed, leftovers) = streamManagement.abandon(handled: handled)
        var actions = confirmedByAck(confirmed)
        let messages = leftovers.filter { entry in
            entry.element.name == "message" && entry.delivery.map { pendingDeliveries[$0] != nil } == true
        }
        if !messages.isEmpty {
            actions.append(.log(.notice, "resending messages the previous session did not confirm", ["count": "\(messages.count)"]))
        }
        held += messages
        return actions
    }

    /// Sends held messages to `room` (or the direct ones when `room` is nil) whose delivery is
    /// still awaited.
    private mutating func sendHeld(room: JID?, now: Instant) -> [Action] {
        var actions: [Action] = []
        var remaining: [StreamManagementTracker.Unacknowledged] = []
        for entry in held {
            let target = entry.element[attribute: "to"].flatMap { try? JID($0) }
            let isGroupchat = entry.element[attribute: "type"] == MessageType.groupchat.rawValue
            let matches = room.map { isGroupchat && target?.bare == $0.bare } ?? !isGroupchat
            guard matches else { remaining.append(entry); continue }
            guard let token = entry.delivery, pendingDeliveries[token] != nil else { continue }
            if reflectionIDs[token] != nil {
                actions += sendStanza(entry.element, delivery: token, confirmedByReflection: true)
                actions += requestAckIfQueueFull()
            } else {
                actions += sendStanza(entry.element, delivery: token)
                if streamManagement.isEnabled { actions.append(requestAck()) }
            }
        }
        held = remaining
        return actions
    }

    private mutating func handleEstablished(_ element: XMLElement, now: Instant) -> [Action] {
        if Stanza.isStanza(element) { streamManagement.stanzaReceived() }

        if let nonza = StreamManagementNonza(element: element) {
            switch nonza {
            case .request:
                return [.send(streamManagement.state.answer)]
            case .ack(let handled):
                ackRequestOutstanding = false
                do throws(StreamManagementError) {
                    return try confirmedByAck(streamManagement.acknowledge(handled))
                } catch {
                    return handledCountTooHigh(error)
                }
            default:
                return []
            }
        }
        if let message = Message(element: element) { return handleMessage(message, now: now) }
        if let presence = Presence(element: element) {
            // At shutdown the rooms reflect our unavailable presence: that is us leaving, not a removal.
            if case .closing = phase { return [] }
            return roomEvents(rooms.handle(presence, now: now), now: now)
        }
        if let iq = IQ(element: element) { return handleIQ(iq, now: now) }
        return []
    }

    private mutating func handledCountTooHigh(_ error: StreamManagementError) -> [Action] {
        let log = Action.log(.error, "stream management out of step with the server", ["error": "\(error)"])
        guard case .handledCountTooHigh(let h, let sent) = error else { return [log] }
        streamManagement.forgetResumption()
        phase = .disconnected
        return [log, .send(StreamManagement.handledCountTooHighError(h: h, sendCount: sent)), .write(StreamHeader.close),
                .close(CloseReason(message: error.description, retry: .backoff))]
    }

    // MARK: Messages

    private mutating func handleMessage(_ message: Message, now: Instant) -> [Action] {
        if let actions = reflection(of: message, now: now) { return actions }
        // Only the room (its bare JID) or our own occupant JID speaks for the service: another
        // occupant can send us an error "from" the room's domain, and must not make us rejoin.
        if message.isError, let from = message.from, let room = rooms[from.bare], room.isJoined,
           from.isBare || from == room.occupantJID {
            return roomRefusedMessage(room.jid, message: message, now: now)
        }
        switch classifier.classify(message, rooms: rooms) {
        case .chat(let inbound):
            if let id = inbound.messageID, let from = message.from { rememberAuthor(id: id, author: from) }
            return [.inbound(inbound)]
        case .invitation(let invitation):
            return consider(invitation, now: now)
        case .ignored(let reason):
            return [.log(.trace, "message ignored", ["reason": "\(reason)"])]
        case .rejected(let reason):
            return [.log(.debug, "message not believed; ignored", ["reason": "\(reason)", "from": "\(message.from?.description ?? "-")"])]
        }
    }

    /// Follows an invitation only to a room on a MUC service, and only if the policy allows the
    /// room and the inviter. While discovery is still running the invitation waits for it.
    private mutating func consider(_ invitation: InboundClassifier.Invitation, now: Instant) -> [Action] {
        let metadata: Logger.Metadata = [
            "room": "\(invitation.room)", "inviter": "\(invitation.inviter?.description ?? "unknown")", "kind": "\(invitation.kind.rawValue)",
        ]
        switch mucServices.verdict(forRoom: invitation.room) {
        case .untrusted:
            return [.log(.notice, "declining room invitation: the room is not on a MUC service this server hosts or the configuration lists (muc_services)", metadata)]
        case .unknown:
            guard deferredInvitations.count < Self.maximumDeferredInvitations else {
                return [.log(.notice, "declining room invitation: too many waiting for MUC service discovery", metadata)]
            }
            deferredInvitations.append(invitation)
            return [.log(.debug, "room invitation waits for MUC service discovery", metadata)]
        case .trusted:
            break
        }
        // The inviter is the stanza's sender (direct) or the room's own report (mediated, from a room
        // on a trusted service): either way the server or the room vouches for it, so a refusal may
        // be answered there.
        let request = RoomInvitation(
            network: network, room: invitation.room.description, inviter: invitation.inviterIdentity,
            inviterName: invitation.inviter?.description ?? "someone",
            answerTo: invitation.inviter.map { ChatDestination(network: network, conversation: .direct($0.bare.description)) })
        let decision = invitationDecider?(request)
            ?? (configuration.invites.allows(room: request.room, inviter: request.inviter) ? .accept : .refuse(reason: "not allowed by the invite policy"))
        var logMetadata = metadata
        if case .refuse(let reason) = decision { logMetadata["reason"] = "\(reason)" }
        let log = Action.log(.info, decision.isAccepted ? "accepting room invitation" : "declining room invitation", logMetadata)
        guard decision.isAccepted else { return [log] }
        return [log] + roomEvents(rooms.accept(invitationTo: invitation.room, password: invitation.password, canSend: isEstablished, now: now), now: now)
    }

    // MARK: MUC service discovery

    /// Asks our server which services it hosts (XEP-0030 §4), unless the answer is cached.
    private mutating func discoverMUCServices(now: Instant) -> [Action] {
        guard !mucServices.isComplete, !mucServices.isRunning, let server = try? JID(configuration.jid.domainpart) else { return [] }
        mucServices.discoveryStarted()
        let id = makeID("items")
        pendingRequests[id] = (.discoItems(server: server), now)
        return sendStanza(Disco.itemsQuery(to: server, id: id), delivery: nil)
    }

    private mutating func discoItemsAnswered(_ items: [JID], now: Instant) -> [Action] {
        var actions: [Action] = []
        for service in mucServices.itemsAnswered(items) {
            let id = makeID("info")
            pendingRequests[id] = (.discoInfo(service: service), now)
            actions += sendStanza(Disco.infoQuery(to: service, id: id), delivery: nil)
        }
        if mucServices.isComplete { actions += discoveryFinished(now: now) }
        return actions
    }

    private mutating func discoInfoAnswered(service: JID, isTextConference: Bool, now: Instant) -> [Action] {
        let logs: [Action] = isTextConference ? [.log(.info, "MUC service discovered", ["service": "\(service)"])] : []
        guard mucServices.infoAnswered(service: service, isTextConference: isTextConference) else { return logs }
        return logs + discoveryFinished(now: now)
    }

    /// The cache is complete: decide the invitations that waited for it.
    private mutating func discoveryFinished(now: Instant) -> [Action] {
        let log = Action.log(.debug, "MUC service discovery finished", [
            "discovered": "\(mucServices.discovered.sorted().joined(separator: " "))",
            "configured": "\(mucServices.configured.sorted().joined(separator: " "))",
        ])
        let waiting = deferredInvitations
        deferredInvitations = []
        return [log] + waiting.flatMap { consider($0, now: now) }
    }

    /// A room bounced one of our messages. `not-acceptable` and friends mean the room no longer
    /// counts us as an occupant (XEP-0045 §7.4, XEP-0410 §3): rejoin at once. The message itself was
    /// already acknowledged by our server, so it is logged for the operator.
    private mutating func roomRefusedMessage(_ room: JID, message: Message, now: Instant) -> [Action] {
        let condition = message.error?.condition ?? "undefined-condition"
        let log = Action.log(.error, "the room refused a message", [
            "room": "\(room)", "id": "\(message.id ?? "-")", "error": "\(message.error?.description ?? condition)",
        ])
        guard ["not-acceptable", "forbidden", "item-not-found", "not-allowed"].contains(condition) else { return [log] }
        return [log] + roomEvents(rooms.selfPingAnswered(room: room, outcome: .notJoined, now: now), now: now)
    }

    private mutating func rememberAuthor(id: String, author: JID) {
        if recentAuthors.updateValue(author, forKey: id) == nil { recentAuthorOrder.append(id) }
        if recentAuthorOrder.count > 256 {
            recentAuthors[recentAuthorOrder.removeFirst()] = nil
        }
    }

    // MARK: Rooms

    private mutating func roomEvents(_ events: [RoomDirectory.Event], now: Instant) -> [Action] {
        var actions: [Action] = []
        for event in events {
            switch event {
            case .send(let element):
                // `!leave` while disconnected: nothing to send, the room is forgotten anyway.
                guard isEstablished else { continue }
                actions += sendStanza(element, delivery: nil)
            case .joined(let room):
                actions += sendHeld(room: room, now: now)
                actions.append(.ready)
                actions.append(.room(.joined(.room(room.description, on: network))))
            case .left:
                break
            case .forgotten(let room, let reason):
                actions.append(.room(.removed(.room(room.description, on: network), reason: reason)))
            case .log(let level, let message, let metadata):
                actions.append(.log(level, message, metadata))
            case .selfPingDue(let room, let occupant):
                let id = makeID("selfping")
                pendingRequests[id] = (.selfPing(room: room), now)
                actions += sendStanza(MUC.selfPing(occupant: occupant, id: id), delivery: nil)
            case .roomCreated(let room):
                let id = makeID("roomconfig")
                pendingRequests[id] = (.roomConfiguration(room: room), now)
                actions += sendStanza(MUC.instantRoomConfiguration(room: room, id: id), delivery: nil)
            }
        }
        return actions
    }

    // MARK: IQ

    private mutating func handleIQ(_ iq: IQ, now: Instant) -> [Action] {
        switch iq.type {
        case .get, .set:
            guard let reply = responder.reply(to: iq) else { return [] }
            return sendStanza(reply, delivery: nil)
        case .result, .error:
            guard let pending = pendingRequests[iq.id] else { return [] }
            // An answer must come from whom we asked (RFC 6120 §8.1.2.1): a guessed id from
            // anybody else must not make an account look like a MUC service.
            switch pending.0 {
            case .discoItems(let server) where iq.from != nil && iq.from != server,
                 .discoInfo(let server) where iq.from != server:
                return [.log(.debug, "disco answer from an unexpected sender ignored", ["from": "\(iq.from?.description ?? "-")", "asked": "\(server)"])]
            default:
                break
            }
            pendingRequests[iq.id] = nil
            let request = pending.0
            switch request {
            case .discoItems:
                var actions: [Action] = []
                if iq.type == .error {
                    actions.append(.log(.warning, "the server did not list its services (disco#items); only configured MUC services are trusted", [
                        "error": "\(iq.error?.description ?? "unknown")",
                    ]))
                }
                return actions + discoItemsAnswered(Disco.items(in: iq), now: now)
            case .discoInfo(let service):
                return discoInfoAnswered(service: service, isTextConference: Disco.isTextConference(iq), now: now)
            case .serverPing:
                return []
            case .selfPing(let room):
                return roomEvents(rooms.selfPingAnswered(room: room, outcome: MUC.selfPingOutcome(iq), now: now), now: now)
            case .roomConfiguration(let room):
                guard iq.type == .error else { return [] }
                return [.log(.warning, "could not unlock the new room", ["room": "\(room)", "error": "\(iq.error?.description ?? "unknown")"])]
            }
        }
    }

    // MARK: Deliveries

    /// Sends an outbox item. A room message is confirmed by the room's reflection of it
    /// (``reflection(of:now:)``) and failed by the room's error bounce; any other message when the
    /// server acknowledges it (XEP-0198), or once written when the server has no stream
    /// management. Without confirmation it fails after ``XMPPClientConfiguration/ackTimeout``.
    mutating func deliver(_ item: OutboxItem, token: DeliveryToken, now: Instant) -> [Action] {
        guard case .established = phase else { return [.fail(token, .notConnected(network: network))] }
        let body = renderer.render(item.message.text)
        let id = "\(idPrefix)-o\(item.id)"
        var children: [XMLElement] = []
        if let target = item.message.inReplyTo {
            var attributes = ["id": target]
            if let author = recentAuthors[target] { attributes["to"] = author.description }
            children.append(XMLElement("reply", namespace: "urn:xmpp:reply:0", attributes: attributes))
        }
        let message: XMLElement
        switch item.message.destination.conversation {
        case .room(let name):
            guard let jid = try? JID(name), let room = rooms[jid], room.isJoined else {
                return [.fail(token, .notInRoom(network: network, room: name))]
            }
            // XEP-0359 §5: the room keeps our origin-id in the copy it reflects to us, the evidence
            // that it accepted the message (the stanza id alone is not always kept).
            message = Stanza.message(to: room.jid, type: .groupchat, body: body, id: id, children: children + [Stanza.originID(id)])
            pendingDeliveries[token] = now.advanced(by: configuration.ackTimeout)
            if let previous = awaitingReflection[id] { forgetReflection(previous.token) }
            awaitingReflection[id] = AwaitedReflection(room: room.jid.bare, token: token)
            reflectionIDs[token] = id
            let actions = sendStanza(message, delivery: token, confirmedByReflection: true) + requestAckIfQueueFull()
            return finish(actions, now: now)
        case .direct(let name):
            guard let jid = try? JID(name) else {
                return [.log(.error, "cannot deliver to an invalid JID", ["to": "\(name)"]),
                        .fail(token, .notInRoom(network: network, room: name))]
            }
            message = Stanza.message(to: jid, type: .chat, body: body, id: id, children: children)
        }
        pendingDeliveries[token] = now.advanced(by: configuration.ackTimeout)
        var actions = sendStanza(message, delivery: token)
        if streamManagement.isEnabled { actions.append(requestAck()) }
        return finish(actions, now: now)
    }

    /// Our own room message reflected by the room (XEP-0045 §7.2.3) confirms its delivery; the
    /// room's error bounce for it (RFC 6120 §8.3) fails it. Nil when `message` is neither, so it
    /// is classified as usual.
    ///
    /// Only the room itself can be believed: the reflection must come from the room's JID with
    /// our nickname as resource (the service stamps `from`, no occupant can send as our
    /// nickname), a groupchat of the room we sent to, carrying our origin-id; a bounce must come
    /// from the room's bare JID. Other occupants see our ids in the room, so the id alone
    /// proves nothing.
    private mutating func reflection(of message: Message, now: Instant) -> [Action]? {
        guard let from = message.from else { return nil }
        if message.isError {
            guard let key = message.originID ?? message.id, let awaited = awaitingReflection[key],
                  from == awaited.room else { return nil }
            pendingDeliveries[awaited.token] = nil
            forgetReflection(awaited.token)
            var actions: [Action] = [.fail(awaited.token, .notInRoom(network: network, room: awaited.room.description))]
            if let room = rooms[awaited.room], room.isJoined {
                actions += roomRefusedMessage(room.jid, message: message, now: now)
            } else {
                actions.append(.log(.error, "the room refused a message", [
                    "room": "\(awaited.room)", "id": "\(key)", "error": "\(message.error?.description ?? "unknown")",
                ]))
            }
            return actions
        }
        guard message.type == .groupchat, let key = message.originID, let awaited = awaitingReflection[key],
              from.bare == awaited.room, let room = rooms[awaited.room], room.isJoined,
              let nick = from.resourcepart, nick == room.nick else { return nil }
        return confirm(awaited.token)
    }

    /// The deliveries an XEP-0198 `<a/>` (or `<resumed/>`, `<failed/>`) confirms: not the room
    /// messages, which wait for their reflection (the server having them does not mean the
    /// room accepted them).
    private mutating func confirmedByAck(_ tokens: [DeliveryToken]) -> [Action] {
        tokens.filter { reflectionIDs[$0] == nil }.flatMap { confirm($0) }
    }

    /// An `<r/>` now.
    private mutating func requestAck() -> Action {
        ackRequestOutstanding = true
        return .send(StreamManagement.request())
    }

    /// After a stanza sent without its own `<r/>`: one when ``ackRequestThreshold`` stanzas
    /// wait and no request is out.
    private mutating func requestAckIfQueueFull() -> [Action] {
        guard streamManagement.isEnabled, streamManagement.unacknowledgedCount >= Self.ackRequestThreshold,
              !ackRequestOutstanding else { return [] }
        return [requestAck()]
    }

    private mutating func forgetReflection(_ token: DeliveryToken) {
        guard let id = reflectionIDs.removeValue(forKey: token) else { return }
        if awaitingReflection[id]?.token == token { awaitingReflection[id] = nil }
    }

    /// The write of a ``Action/sendConfirmingOnFlush(_:_:)`` completed.
    mutating func writeFlushed(_ token: DeliveryToken, now: Instant) -> [Action] {
        confirm(token)
    }

    /// The write of a ``Action/sendConfirmingOnFlush(_:_:)`` failed.
    mutating func writeFailed(_ token: DeliveryToken, now: Instant) -> [Action] {
        forgetReflection(token)
        guard pendingDeliveries.removeValue(forKey: token) != nil else { return [] }
        return [.fail(token, .notConnected(network: network))]
    }

    /// Forgets a delivery whose caller stopped waiting (cancelled).
    mutating func cancelDelivery(_ token: DeliveryToken) {
        pendingDeliveries[token] = nil
        forgetReflection(token)
    }

    private mutating func confirm(_ token: DeliveryToken) -> [Action] {
        forgetReflection(token)
        guard pendingDeliveries.removeValue(forKey: token) != nil else { return [] }
        return [.confirm(token)]
    }

    /// Writes a stanza, counting it for XEP-0198 (or asking for a flush confirmation without it,
    /// unless the delivery is `confirmedByReflection`).
    private mutating func sendStanza(_ element: XMLElement, delivery: DeliveryToken?, confirmedByReflection: Bool = false) -> [Action] {
        if streamManagement.isEnabled {
            streamManagement.stanzaSent(element, delivery: delivery)
            return [.send(element)]
        }
        if let delivery, !confirmedByReflection { return [.sendConfirmingOnFlush(element, delivery)] }
        return [.send(element)]
    }

    // MARK: Time

    /// Timers: delivery deadlines, dead-connection detection, pings, keepalives, room rejoins.
    mutating func tick(now: Instant) -> [Action] {
        var actions: [Action] = []
        for (token, deadline) in pendingDeliveries where now >= deadline {
            pendingDeliveries[token] = nil
            forgetReflection(token)
            actions.append(.fail(token, .timedOut(network: network)))
        }
        let expired = pendingRequests.filter { now >= $0.value.1.advanced(by: configuration.deadAfter) }
        pendingRequests = pendingRequests.filter { now < $0.value.1.advanced(by: configuration.deadAfter) }
        for (request, _) in expired.values {
            switch request {
            case .discoItems(let server):
                actions.append(.log(.warning, "no answer to disco#items; only configured MUC services are trusted", ["server": "\(server)"]))
                actions += discoItemsAnswered([], now: now)
            case .discoInfo(let service):
                actions += discoInfoAnswered(service: service, isTextConference: false, now: now)
            default:
                break
            }
        }

        switch phase {
        case .disconnected:
            break
        case .negotiating(let negotiation):
            if let lastReceived, now >= lastReceived.advanced(by: min(negotiationTimeout, configuration.deadAfter)) {
                phase = .disconnected
                actions.append(.log(.error, "the server stopped answering during negotiation", ["step": "\(negotiation.stepName)"]))
                actions.append(.close(CloseReason(message: "no answer while \(negotiation.stepName)", retry: .backoff)))
            } else if let negotiationDeadline, now >= negotiationDeadline {
                phase = .disconnected
                actions.append(.log(.error, "negotiation is taking too long", ["step": "\(negotiation.stepName)"]))
                actions.append(.close(CloseReason(
                    message: "negotiation did not complete within \(negotiationTimeout * 2) (stuck \(negotiation.stepName))",
                    retry: .backoff)))
            }
        case .closing(let deadline):
            if now >= deadline { actions.append(.close(CloseReason(message: "shutdown", retry: .stop))) }
        case .established:
            if let lastReceived, now >= lastReceived.advanced(by: configuration.deadAfter) {
                phase = .disconnected
                actions.append(.log(.warning, "no traffic from the server; reconnecting", ["dead_after": "\(configuration.deadAfter)"]))
                actions.append(.close(CloseReason(message: "no traffic from the server for \(configuration.deadAfter)", retry: .backoff)))
                return actions
            }
            if let due = nextServerPing, now >= due {
                nextServerPing = now.advanced(by: configuration.pingInterval)
                let id = makeID("ping")
                pendingRequests[id] = (.serverPing, now)
                actions += sendStanza(Stanza.ping(to: try? JID(configuration.jid.domainpart), id: id), delivery: nil)
                if streamManagement.isEnabled { actions.append(requestAck()) }
            }
            actions += roomEvents(rooms.tick(now: now), now: now)
            // Only when nothing else happens (log lines aside): any other action means traffic.
            if actions.allSatisfy(\.isLog), let lastSent, now >= lastSent.advanced(by: whitespaceInterval) {
                actions.append(.write(" "))
            }
        }
        return finish(actions, now: now)
    }

    /// The earliest time ``tick(now:)`` has something to do (a delivery or request timing out,
    /// a negotiation or close deadline, the dead-link check, the server ping, a room timer, the
    /// whitespace keepalive); nil when nothing is due. The connection arms its timer for it
    /// instead of ticking, so an idle session sleeps until its keepalive.
    var nextDeadline: Instant? {
        var deadlines: [Instant?] = [pendingDeliveries.values.min()]
        deadlines.append(pendingRequests.values.map(\.1).min()?.advanced(by: configuration.deadAfter))
        switch phase {
        case .disconnected:
            break
        case .negotiating:
            deadlines.append(lastReceived?.advanced(by: min(negotiationTimeout, configuration.deadAfter)))
            deadlines.append(negotiationDeadline)
        case .closing(let deadline):
            deadlines.append(deadline)
        case .established:
            deadlines.append(lastReceived?.advanced(by: configuration.deadAfter))
            deadlines.append(nextServerPing)
            deadlines.append(rooms.nextDeadline)
            deadlines.append(lastSent?.advanced(by: whitespaceInterval))
        }
        return deadlines.compactMap { $0 }.min()
    }

    // MARK: Helpers

    /// Notes when we last wrote, for the whitespace keepalive.
    private mutating func finish(_ actions: [Action], now: Instant) -> [Action] {
        if actions.contains(where: \.isWrite) { lastSent = now }
        return actions
    }

    private mutating func makeID(_ purpose: String) -> String {
        nextID += 1
        return "\(idPrefix)-\(purpose)-\(nextID)"
    }

    private static func randomPrefix() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<8).map { _ in alphabet.randomElement()! })
    }

    /// A one-line status per room the bot still means to be in, for health.
    /// Changes whenever ``roomSummary`` may have changed.
    var roomsRevision: Int { rooms.revision }

    var roomSummary: [(room: String, joined: Bool, status: String)] {
        rooms.all.filter(\.isWanted).map { ($0.jid.description, $0.isJoined, $0.statusDescription) }
    }

    // MARK: Room lifecycle

    /// Rooms joined on invitation before a restart: joined with the next session.
    mutating func restoreInvitedRooms(_ jids: [JID]) {
        rooms.restoreInvited(jids)
    }

    /// A room added to the configuration by a reload: joined now when the session is up, and
    /// with every new session after.
    mutating func joinConfigured(room: JID, password: String?, now: Instant) -> [Action] {
        finish(roomEvents(rooms.configure(room, password: password, canSend: isEstablished, now: now), now: now), now: now)
    }

    /// `!leave`: leave `room` with `reason` and forget it.
    mutating func leave(room: JID, reason: String, now: Instant) -> [Action] {
        finish(roomEvents(rooms.leave(room, reason: reason), now: now), now: now)
    }
}

extension XMPPSession.Action {
    var isWrite: Bool {
        switch self {
        case .write, .send, .sendConfirmingOnFlush: true
        default: false
        }
    }

    var isLog: Bool {
        if case .log = self { return true }
        return false
    }
}
