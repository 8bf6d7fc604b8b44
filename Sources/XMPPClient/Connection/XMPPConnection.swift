import ChatConnection
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization
import TocsinCore
import XMPP

/// One XMPP account of the gateway: connects, negotiates, sits in its rooms, hands chat messages
/// to the core and delivers the outbox, reconnecting until the service group shuts it down.
///
/// All protocol decisions are made by ``XMPPSession``, a plain value; this class owns the socket,
/// the parser and the clock. A single loop task consumes every event — bytes from the socket,
/// deliveries, deadlines — so the session is never touched concurrently.
///
/// The skeleton is the shared one (``ChatConnection``): a ``DeadlineTimer`` armed for the
/// session's next deadline or the next connection attempt (no periodic tick: an idle stream
/// sleeps until its keepalive), ``ReconnectSchedule`` for backoff, ``DeliveryWaiters`` for
/// `deliver` calls, a ``StatusBoard`` for health, ``TLSClientSettings`` for TLS and
/// ``InboundCredit`` for read backpressure.
public final class XMPPConnection: ChatTransport, RoomControl, Service, HealthSource, Sendable {
    public let configuration: XMPPClientConfiguration
    /// Decides invitations and hears about joins and kicks (the core's ``RoomRegistry``).
    fileprivate let roomLifecycle: (any RoomLifecycle)?
    private let onMessage: @Sendable (InboundMessage) async -> Void
    private let onReady: @Sendable (String) -> Void
    private let logger: Logger
    private let group: any EventLoopGroup

    private let waiters = DeliveryWaiters()
    /// The loop's inbox while `run()` is running. Socket reads not yet handled
    /// count against ``credit`` (512 outstanding, then NIO stops reading until 128: nothing is
    /// dropped, the server waits); deliveries are bounded by ``DeliveryWaiters/capacity``.
    private let inbox = Mutex<AsyncStream<ConnectionEvent>.Continuation?>(nil)
    private let status = StatusBoard(HealthStatus())
    /// Socket reads not yet handled (backpressure).
    fileprivate let credit = InboundCredit()

    public var network: String { configuration.network }

    /// - Parameter onMessage: called on the connection's loop task for every chat message, in
    ///   order; it must return promptly (the gateway's `submit` does: a command runs in a task of
    ///   its own). Called inline, not through a forwarding task: one thread hop less per message.
    public init(
        configuration: XMPPClientConfiguration,
        onMessage: @escaping @Sendable (InboundMessage) async -> Void,
        onReady: @escaping @Sendable (String) -> Void,
        rooms: (any RoomLifecycle)? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.roomLifecycle = rooms
        self.onMessage = onMessage
        self.onReady = onReady
        var logger = logger
        logger[metadataKey: "network"] = "\(configuration.network)"
        self.logger = logger
        group = MultiThreadedEventLoopGroup.singleton
    }

    // MARK: Service

    /// Connects and stays connected until graceful shutdown (or cancellation), then leaves the
    /// rooms with unavailable presence and closes the stream.
    public func run() async throws {
        let (events, sink) = AsyncStream.makeStream(of: ConnectionEvent.self)
        inbox.withLock { $0 = sink }

        let timer = DeadlineTimer { sink.yield(.deadline) }
        await withGracefulShutdownHandler {
            var loop = ConnectionLoop(connection: self, sink: sink, timer: timer)
            await loop.run(events)
        } onGracefulShutdown: {
            sink.yield(.shutdown)
        }
        timer.stop()
        inbox.withLock { $0 = nil }
        sink.finish()
        // Events that arrived after the loop stopped: refuse deliveries, close late sockets.
        for await event in events {
            switch event {
            case .deliver(let token, _): waiters.resolve(token, .failure(TransportError.notConnected(network: network)))
            case .connected(_, let channel): channel.close(promise: nil)
            case .received: credit.consumed()
            default: break
            }
        }
        waiters.failAll(TransportError.notConnected(network: network))
        status.publish(HealthStatus(state: .stopped))
    }

    // MARK: ChatTransport

    /// Sends one message and returns when the room reflected it back (a room message, XEP-0045
    /// §7.2.3), when the server acknowledged it (XEP-0198), or once written when the server has no
    /// stream management. Throws ``TransportError/notConnected(network:)``,
    /// ``TransportError/notInRoom(network:room:)`` or, without an acknowledgement within
    /// ``XMPPClientConfiguration/ackTimeout``, ``TransportError/timedOut(network:)``.
    /// More than ``ChatConnection/DeliveryWaiters/capacity`` calls in flight fail at once with
    /// ``TransportError/notConnected(network:)`` (the outbox retries them).
    public func deliver(_ item: OutboxItem) async throws {
        let network = self.network
        guard let sink = inbox.withLock({ $0 }), let token = waiters.issue() else {
            throw TransportError.notConnected(network: network)
        }
        let waiters = self.waiters
        try await waiters.wait(for: token, ifUnknown: TransportError.notConnected(network: network)) {
            if case .terminated = sink.yield(.deliver(token, item)) {
                waiters.resolve(token, .failure(TransportError.notConnected(network: network)))
            }
        } onCancel: {
            sink.yield(.cancelDelivery(token))
        }
    }

    // MARK: RoomControl

    /// Leaves `room` with `reason` and forgets it (see ``RoomControl``).
    public func leave(room: String, reason: String) async {
        inbox.withLock { $0 }?.yield(.leave(room: room, reason: reason))
    }

    /// A room added to the configuration by a reload: joined now, and on every new session.
    public func join(room: String, key: String?) async {
        inbox.withLock { $0 }?.yield(.join(room: room, password: key))
    }

    // MARK: HealthSource

    public func health() async -> [ComponentHealth] {
        let snapshot = status.current
        return [snapshot.component(network: network, configuration: configuration)]
    }

    // MARK: For the loop

    fileprivate func publish(_ update: (inout HealthStatus) -> Void) {
        status.update(update)
    }

    fileprivate func resolve(_ token: DeliveryToken, _ result: Result<Void, any Error>) {
        waiters.resolve(token, result)
    }

    fileprivate var loopLogger: Logger { logger }
    fileprivate var eventLoopGroup: any EventLoopGroup { group }
    fileprivate func ready() { onReady(network) }
    fileprivate func hand(_ message: InboundMessage) async { await onMessage(message) }
}

// MARK: - Health

/// What ``XMPPConnection/health()`` reports, updated by the loop.
struct HealthStatus: Sendable {
    enum State: Sendable {
        case starting
        case connecting
        case established
        case waiting(until: ContinuousClock.Instant)
        case stopped
    }

    var state: State = .starting
    var boundJID: String?
    var lastError: String?
    var rooms: [(room: String, joined: Bool, status: String)] = []
    var streamManagement = false

    func component(network: String, configuration: XMPPClientConfiguration) -> ComponentHealth {
        // Structured fields for /readyz and /metrics: connected, rooms joined of configured.
        var part = describedComponent(network: network, configuration: configuration)
        part.kind = .network
        if case .established = state {
            part.connected = true
            part.roomsJoined = rooms.filter(\.joined).count
            part.roomsConfigured = max(rooms.count, configuration.rooms.count)
        } else {
            part.connected = false
            part.roomsJoined = 0
            part.roomsConfigured = max(rooms.count, configuration.rooms.count)
        }
        return part
    }

    private func describedComponent(network: String, configuration: XMPPClientConfiguration) -> ComponentHealth {
        let name = "xmpp:\(network)"
        switch state {
        case .starting:
            return ComponentHealth(component: name, status: .down, detail: "not started")
        case .stopped:
            return ComponentHealth(component: name, status: .down, detail: "stopped")
        case .connecting:
            return ComponentHealth(component: name, status: .down, detail: "connecting to \(configuration.connectHost):\(configuration.port)" + (lastError.map { "; last error: \($0)" } ?? ""))
        case .waiting:
            return ComponentHealth(component: name, status: .down, detail: "reconnecting" + (lastError.map { " after: \($0)" } ?? ""))
        case .established:
            let missing = rooms.filter { !$0.joined }
            let joined = rooms.count - missing.count
            var detail = "connected as \(boundJID ?? configuration.jid.description)"
            if !rooms.isEmpty { detail += "; rooms joined \(joined)/\(rooms.count)" }
            if !missing.isEmpty { detail += " (" + missing.map { "\($0.room): \($0.status)" }.joined(separator: ", ") + ")" }
            if !streamManagement { detail += "; no stream management (deliveries confirmed on write)" }
            return ComponentHealth(component: name, status: missing.isEmpty ? .ok : .degraded, detail: detail)
        }
    }
}

// MARK: - Loop

/// The single consumer of a connection's events: owns the session, the parser and the socket.
private struct ConnectionLoop: ~Copyable {
    typealias Instant = ContinuousClock.Instant

    enum Link {
        /// No socket; connect at `nextAttempt`.
        case idle(nextAttempt: Instant)
        case connecting(generation: Int)
        case connected(generation: Int, channel: any Channel)
    }

    let connection: XMPPConnection
    let configuration: XMPPClientConfiguration
    let sink: AsyncStream<ConnectionEvent>.Continuation
    let timer: DeadlineTimer
    var logger: Logger

    var session: XMPPSession
    var parser = XMPPStreamParser()
    var link: Link
    var generation = 0
    var schedule: ReconnectSchedule
    var otherHost: String?
    var sslContext: NIOSSLContext?
    var shuttingDown = false
    var finished = false
    /// When the current session became ready; a disconnect after ``ReconnectSchedule/stableAfter``
    /// starts the backoff over.
    var readySince: Instant?
    /// The connection failed in a way a quick retry will not fix (certificate rejected).
    var persistentFailure = false
    var reportedErrorGeneration = 0
    /// `host:port` of the current or last connection attempt, for logs.
    var target = ""
    /// What the actions of the current event wrote, sent as one buffer (one TLS record, one hop
    /// to the event loop, one `write`) when the event is handled: a reply and its XEP-0198 `<r/>`
    /// go out together instead of as two flushes.
    var outgoing: ByteBuffer?
    /// Deliveries confirmed once ``outgoing`` is flushed (servers without stream management).
    var outgoingTokens: [DeliveryToken] = []
    /// What ``publishHealth()`` last published: it publishes again only when this changes.
    var publishedHealth: HealthKey?

    /// Everything the published health is made of, cheap to compare (the rooms by revision).
    struct HealthKey: Equatable {
        var link: Int
        var nextAttempt: Instant?
        var established: Bool
        var roomsRevision: Int
        var boundJID: JID?
        var streamManagement: Bool
    }

    init(connection: XMPPConnection, sink: AsyncStream<ConnectionEvent>.Continuation, timer: DeadlineTimer) {
        self.connection = connection
        configuration = connection.configuration
        self.sink = sink
        self.timer = timer
        logger = connection.loopLogger
        session = XMPPSession(configuration: configuration)
        if let lifecycle = connection.roomLifecycle {
            session.invitationDecider = { lifecycle.decide($0) }
            // Rooms joined on invitation before a restart are joined again.
            session.restoreInvitedRooms(lifecycle.invitedRooms(on: configuration.network).compactMap { try? JID($0.room) })
        }
        link = .idle(nextAttempt: .now)
        schedule = ReconnectSchedule(minimum: configuration.reconnectDelay.min, maximum: configuration.reconnectDelay.max)
    }

    mutating func run(_ events: AsyncStream<ConnectionEvent>) async {
        if configuration.tls == .plaintext {
            logger.warning("XMPP without TLS: the password and all messages cross the network in the clear")
        }
        await connectIfDue(now: .now)
        timer.schedule(nextDeadline)
        for await event in events {
            await handle(event, now: .now)
            flushWrites()
            if case .received = event { connection.credit.consumed() }
            publishHealth()
            if finished { break }
            timer.schedule(nextDeadline)
        }
        flushWrites()
        if case .connected(_, let channel) = link {
            try? await channel.close().get()
        }
    }

    // MARK: Events

    mutating func handle(_ event: ConnectionEvent, now: Instant) async {
        switch event {
        case .deadline:
            await execute(session.tick(now: now), now: now)
            await connectIfDue(now: now)

        case .connected(let generation, let channel):
            guard case .connecting(let expected) = link, expected == generation, !shuttingDown else {
                channel.close(promise: nil)
                return
            }
            link = .connected(generation: generation, channel: channel)
            logger.debug("TCP connected", metadata: ["remote": "\(channel.remoteAddress.map { "\($0)" } ?? "?")"])
            parser.reset()
            await execute(session.connectionStarted(now: now), now: now)

        case .connectFailed(let generation, let error):
            guard case .connecting(let expected) = link, expected == generation else { return }
            logger.error("cannot connect to the XMPP server", metadata: ["host": "\(target)", "error": "\(error)"])
            let target = self.target
            connection.publish { $0.lastError = "cannot connect to \(target): \(ConnectionErrorWords.describe(error))" }
            scheduleReconnect(.backoff, now: now)

        case .received(let generation, let buffer):
            guard case .connected(let current, _) = link, current == generation else { return }
            let events: [XMPPStreamEvent]
            do throws(XMPPStreamError) {
                events = try parser.feed(buffer.readableBytesView)
            } catch {
                await execute(session.parserFailed(error, now: now), now: now)
                return
            }
            for event in events {
                if case .stanza(let element) = event {
                    logger.trace("received", metadata: ["element": "\(element.name)", "namespace": "\(element.namespace ?? "")"])
                }
                let actions = session.receive(event, now: now)
                let reset = await execute(actions, now: now)
                // After a stream restart, whatever followed in this read belongs to the old document.
                if reset || !isConnected(generation) { break }
            }

        case .channelError(let generation, let error):
            // One report per connection: a broken socket often raises a second, derived error.
            guard case .connected(let current, _) = link, current == generation, reportedErrorGeneration != generation else { return }
            reportedErrorGeneration = generation
            let explanation = TLSSetup.explain(error, configuration: configuration)
            persistentFailure = TLSSetup.isCertificateFailure(error)
            logger.error("XMPP connection error", metadata: ["error": "\(explanation)"])
            connection.publish { $0.lastError = explanation }

        case .closed(let generation):
            guard case .connected(let current, _) = link, current == generation else { return }
            sessionLost(now: now)
            if shuttingDown {
                finished = true
                return
            }
            logger.notice("XMPP connection closed")
            scheduleReconnect(persistentFailure ? .later : .backoff, now: now)
            persistentFailure = false

        case .flushed(let generation, let token, let success):
            _ = generation
            await execute(success ? session.writeFlushed(token, now: now) : session.writeFailed(token, now: now), now: now)

        case .deliver(let token, let item):
            await execute(session.deliver(item, token: token, now: now), now: now)

        case .cancelDelivery(let token):
            session.cancelDelivery(token)

        case .leave(let room, let reason):
            guard let jid = try? JID(room) else { return }
            await execute(session.leave(room: jid, reason: reason, now: now), now: now)

        case .join(let room, let password):
            guard let jid = try? JID(room) else {
                logger.error("cannot join a room added to the configuration: not a JID", metadata: ["room": "\(room)"])
                return
            }
            await execute(session.joinConfigured(room: jid, password: password, now: now), now: now)

        case .shutdown:
            guard !shuttingDown else { return }
            shuttingDown = true
            logger.info("XMPP connection shutting down")
            switch link {
            case .connected:
                await execute(session.shutdown(now: now), now: now)
            case .idle, .connecting:
                finished = true
            }
        }
    }

    func isConnected(_ generation: Int) -> Bool {
        if case .connected(let current, _) = link { return current == generation }
        return false
    }

    // MARK: Actions

    /// Carries out the session's actions in order. Returns whether the parser was reset.
    @discardableResult
    mutating func execute(_ actions: [XMPPSession.Action], now: Instant) async -> Bool {
        var queue = actions[...]
        var didReset = false
        while let action = queue.popFirst() {
            switch action {
            case .write(let text):
                write(text)
            case .send(let element):
                write(element.serialized(parentNamespace: XMPPNamespace.client))
            case .sendConfirmingOnFlush(let element, let token):
                write(element.serialized(parentNamespace: XMPPNamespace.client), confirming: token)
            case .startTLS:
                flushWrites()
                if await startTLS() {
                    queue.append(contentsOf: session.tlsStarted(now: now))
                } else {
                    closeConnection(XMPPSession.CloseReason(message: "could not start TLS", retry: .backoff), now: now)
                }
            case .resetParser:
                parser.reset()
                didReset = true
            case .inbound(let message):
                // In order, on this task: `onMessage` returns at once (see `init`).
                await connection.hand(message)
            case .ready:
                connection.ready()
                if readySince == nil { readySince = now }
            case .confirm(let token):
                connection.resolve(token, .success(()))
            case .fail(let token, let error):
                connection.resolve(token, .failure(error))
            case .close(let reason):
                closeConnection(reason, now: now)
            case .log(let level, let message, let metadata):
                logger.log(level: level, "\(message)", metadata: metadata)
            case .room(let event):
                connection.roomLifecycle?.roomEvent(event)
            }
        }
        return didReset
    }

    /// Tells the session its stream is gone. On a closed link the session can only explain itself,
    /// so of its answer only the log lines are carried out.
    mutating func sessionLost(now: Instant) {
        for case .log(let level, let message, let metadata) in session.connectionLost(now: now) {
            logger.log(level: level, "\(message)", metadata: metadata)
        }
    }

    /// Queues `text` for the socket; ``flushWrites()`` sends what the current event wrote.
    mutating func write(_ text: String, confirming token: DeliveryToken? = nil) {
        guard case .connected = link else {
            if let token { sink.yield(.flushed(generation: generation, token, success: false)) }
            return
        }
        if outgoing == nil {
            outgoing = ByteBuffer(string: text)
        } else {
            outgoing!.writeString(text)
        }
        if let token { outgoingTokens.append(token) }
    }

    /// Writes and flushes what ``write(_:confirming:)`` queued, in order, as one buffer.
    mutating func flushWrites() {
        guard let buffer = outgoing else { return }
        let tokens = outgoingTokens
        outgoing = nil
        outgoingTokens = []
        guard case .connected(let generation, let channel) = link else {
            for token in tokens { sink.yield(.flushed(generation: generation, token, success: false)) }
            return
        }
        guard !tokens.isEmpty else {
            channel.writeAndFlush(buffer, promise: nil)
            return
        }
        let sink = self.sink
        channel.writeAndFlush(buffer).whenComplete { result in
            let success: Bool
            if case .failure = result { success = false } else { success = true }
            for token in tokens { sink.yield(.flushed(generation: generation, token, success: success)) }
        }
    }

    /// Puts a TLS handler in front of the pipeline after `<proceed/>` (RFC 6120 §5.4.3.3). Writes
    /// made while the handshake runs are buffered by the handler.
    mutating func startTLS() async -> Bool {
        guard case .connected(_, let channel) = link, let context = tlsContext() else { return false }
        let configuration = self.configuration
        do {
            try await channel.eventLoop.submit {
                let handler = try TLSSetup.makeHandler(context: context, configuration: configuration)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
            }.get()
            return true
        } catch {
            logger.error("cannot start TLS", metadata: ["error": "\(TLSSetup.explain(error, configuration: configuration))"])
            return false
        }
    }

    mutating func tlsContext() -> NIOSSLContext? {
        if let sslContext { return sslContext }
        do {
            let context = try TLSSetup.makeContext(configuration)
            sslContext = context
            return context
        } catch {
            logger.error("TLS configuration error", metadata: ["error": "\(error)"])
            connection.publish { $0.lastError = "\(error)" }
            return nil
        }
    }

    mutating func closeConnection(_ reason: XMPPSession.CloseReason, now: Instant) {
        flushWrites()
        if case .connected(_, let channel) = link {
            // Let queued writes (a stream error, `</stream:stream>`) go out first.
            channel.writeAndFlush(ByteBuffer()).whenComplete { _ in channel.close(promise: nil) }
        }
        sessionLost(now: now)
        if reason.retry == .stop || shuttingDown {
            finished = true
            return
        }
        connection.publish { $0.lastError = reason.message }
        scheduleReconnect(reason.retry, now: now)
    }

    // MARK: Reconnecting

    /// The next deadline of this loop: the session's timers, or the next connection attempt.
    var nextDeadline: Instant? {
        var deadline = session.nextDeadline
        if case .idle(let nextAttempt) = link, !shuttingDown { deadline = deadline.earliest(nextAttempt) }
        return deadline
    }

    mutating func scheduleReconnect(_ retry: XMPPSession.CloseReason.Retry, now: Instant) {
        let delay: Duration
        switch retry {
        case .later:
            delay = schedule.delay(.later, readySince: readySince, now: now)
        case .otherHost(let host):
            otherHost = host
            delay = schedule.delay(.backoff, readySince: readySince, now: now)
        case .backoff, .stop:
            delay = schedule.delay(.backoff, readySince: readySince, now: now)
        }
        readySince = nil
        link = .idle(nextAttempt: now.advanced(by: delay))
        let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        logger.info("reconnecting later", metadata: ["delay": "\((seconds * 10).rounded() / 10)s"])
    }

    mutating func connectIfDue(now: Instant) async {
        guard !shuttingDown, case .idle(let nextAttempt) = link, now >= nextAttempt else { return }
        var sslContext: NIOSSLContext?
        if configuration.tls == .directTLS {
            guard let context = tlsContext() else {
                scheduleReconnect(.later, now: now)
                return
            }
            sslContext = context
        }
        generation += 1
        let generation = self.generation
        link = .connecting(generation: generation)
        let configuration = self.configuration
        let (host, port) = otherHost.map { RedirectTarget.hostAndPort($0, defaultPort: configuration.port) }
            ?? (configuration.connectHost, configuration.port)
        otherHost = nil
        target = "\(host):\(port)"
        let sink = self.sink
        let credit = connection.credit
        logger.info("connecting", metadata: ["host": "\(host)", "port": "\(port)", "tls": "\(configuration.tls)"])
        connection.publish { $0.state = .connecting }

        let bootstrap = ClientBootstrap(group: connection.eventLoopGroup)
            .connectTimeout(.seconds(10))
            .channelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
            .channelInitializer { [sslContext] channel in
                channel.eventLoop.makeCompletedFuture(withResultOf: {
                    if let sslContext {
                        let handler = try TLSSetup.makeHandler(context: sslContext, configuration: configuration)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHandler(ReadPausingHandler(credit: credit))
                    try channel.pipeline.syncOperations.addHandler(XMPPChannelHandler(generation: generation, sink: sink, credit: credit))
                })
            }
        bootstrap.connect(host: host, port: port).whenComplete { result in
            switch result {
            case .success(let channel):
                if case .terminated = sink.yield(.connected(generation: generation, channel: channel)) {
                    channel.close(promise: nil)
                }
            case .failure(let error):
                sink.yield(.connectFailed(generation: generation, error))
            }
        }
    }

    // MARK: Health

    /// Publishes the connection's health when it changed since the last event (building the
    /// rooms' summary on every stanza was a measurable share of the CPU per command).
    mutating func publishHealth() {
        let key: HealthKey
        switch link {
        case .idle(let next): key = HealthKey(link: 0, nextAttempt: next, established: false, roomsRevision: session.roomsRevision, boundJID: session.boundJID, streamManagement: session.isStreamManagementEnabled)
        case .connecting: key = HealthKey(link: 1, nextAttempt: nil, established: false, roomsRevision: session.roomsRevision, boundJID: session.boundJID, streamManagement: session.isStreamManagementEnabled)
        case .connected: key = HealthKey(link: 2, nextAttempt: nil, established: session.isEstablished, roomsRevision: session.roomsRevision, boundJID: session.boundJID, streamManagement: session.isStreamManagementEnabled)
        }
        guard key != publishedHealth else { return }
        publishedHealth = key
        let state: HealthStatus.State
        switch link {
        case .idle(let next): state = .waiting(until: next)
        case .connecting: state = .connecting
        case .connected: state = session.isEstablished ? .established : .connecting
        }
        let rooms = session.roomSummary
        let boundJID = session.boundJID?.description
        let streamManagement = session.isStreamManagementEnabled
        connection.publish {
            $0.state = state
            $0.rooms = rooms
            $0.boundJID = boundJID
            $0.streamManagement = streamManagement
        }
    }
}
