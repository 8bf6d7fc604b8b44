#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import IRC
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import ChatConnection
import Synchronization
import TocsinCore

/// One IRC network: a long-running service that connects, registers, joins its rooms, passes
/// chat messages to the core and delivers the outbox — reconnecting with exponential backoff and
/// jitter until graceful shutdown, when it says QUIT.
///
/// Each connection attempt is a *session*: a NIO channel whose events (lines, closes, errors),
/// deadlines and delivery requests are funnelled into one task that owns an
/// ``IRCClientStateMachine`` and performs its actions. All protocol decisions are in that value;
/// this class only does I/O, timers and hand-over to the core.
///
/// The skeleton is the shared one (``ChatConnection``): ``ReconnectingConnection`` with its
/// backoff, a ``DeadlineTimer`` armed for the machine's next deadline (no periodic tick: an idle
/// connection sleeps until its keepalive), ``DeliveryWaiters`` for `deliver` calls, a
/// ``StatusBoard`` for health, ``TLSClientSettings`` for TLS and ``InboundCredit`` for read
/// backpressure.
public final class IRCConnection: ChatTransport, RoomControl, Service, HealthSource, Sendable {
    public let configuration: IRCClientConfiguration
    public var network: String { configuration.network }

    private let onMessage: @Sendable (InboundMessage) async -> Void
    private let onReady: @Sendable (String) -> Void
    private let logger: Logger
    private let group: any EventLoopGroup
    private let stsPolicies: (any STSPolicyStore)?
    /// Decides invitations and hears about joins and kicks (the core's ``RoomRegistry``).
    private let roomLifecycle: (any RoomLifecycle)?
    private let shared = Mutex(SharedState())
    private let statusBoard = StatusBoard(Status.starting)
    private let waiters = DeliveryWaiters()
    private let shutdownSignal = ShutdownSignal()

    enum IRCConnectionError: Error {
        case tlsNotConfigured
    }

    /// Events a session's task processes, in order.
    ///
    /// Bounds of the session's streams: channel events (chat messages go to the core inline) count
    /// against the session's ``InboundCredit`` (512 outstanding, then NIO stops reading the
    /// socket until the backlog is down to 128: nothing is dropped, the server waits);
    /// deliveries are bounded by ``DeliveryWaiters/capacity`` and the outbox's own lanes;
    /// write completions and deadlines by the writes and the one armed timer.
    enum SessionEvent: Sendable {
        case channel(IRCChannelEvent)
        /// The armed deadline was reached.
        case deadline
        case deliver(OutboxItem, DeliveryID)
        case writeCompleted(DeliveryID, success: Bool)
        /// `!leave`: part this room and forget it.
        case leave(room: String, reason: String)
        /// A configuration reload added this room.
        case join(IRCClientConfiguration.Room)
        /// A configuration reload changed the flood settings.
        case flood(IRCClientConfiguration.FloodControl)
        case shutdown
    }

    /// Where the connection stands, for ``health()``.
    enum Status: Sendable {
        case starting
        case connecting(attempt: Int)
        case registering
        case connected(nick: String, missingRooms: [String])
        case waiting(until: ContinuousClock.Instant, lastError: String)
        case stopped
    }

    struct SharedState: Sendable {
        var session: AsyncStream<SessionEvent>.Continuation?
        var shuttingDown = false
        /// Rooms joined on invitation, rejoined after a reconnect.
        var invitedRooms: [IRCClientConfiguration.Room] = []
        /// The configured rooms and flood settings in force: the file's at start, then as
        /// reloads change them (each new session starts with these).
        var configuredRooms: [IRCClientConfiguration.Room] = []
        var flood: IRCClientConfiguration.FloodControl?
        /// The TLS port a plaintext connection was told to upgrade to (IRCv3 `sts`), for the rest
        /// of this process even when no policy could be stored.
        var stsUpgradePort: Int?
    }

    /// - Parameter onMessage: called on the connection's session task for every chat message, in
    ///   order; it must return promptly (the gateway's `submit` does: a command runs in a task of
    ///   its own). Called inline, not through a forwarding task: one thread hop less per message.
    public init(
        configuration: IRCClientConfiguration,
        onMessage: @escaping @Sendable (InboundMessage) async -> Void,
        onReady: @escaping @Sendable (String) -> Void,
        stsPolicies: (any STSPolicyStore)? = nil,
        rooms: (any RoomLifecycle)? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.stsPolicies = stsPolicies
        self.roomLifecycle = rooms
        // Rooms joined on invitation before a restart are joined again.
        let invited = rooms?.invitedRooms(on: configuration.network).map { IRCClientConfiguration.Room(name: $0.room) } ?? []
        shared.withLock {
            $0.invitedRooms = invited
            $0.configuredRooms = configuration.rooms
            $0.flood = configuration.flood
        }
        self.onMessage = onMessage
        self.onReady = onReady
        var logger = logger
        logger[metadataKey: "network"] = "\(configuration.network)"
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup.singleton
    }

    // MARK: Service

    /// Runs until graceful shutdown or cancellation; either one sends QUIT and closes.
    public func run() async throws {
        await withTaskCancellationOrGracefulShutdownHandler {
            // The loop runs in its own task so that cancelling `run()` does not cut it short
            // (an AsyncStream iterator ends at once in a cancelled task): the handler below
            // asks it to QUIT, and it returns when the connection is closed.
            await Task { await self.connectLoop() }.value
        } onCancelOrGracefulShutdown: {
            self.beginShutdown()
        }
    }

    private func beginShutdown() {
        let session = shared.withLock { state -> AsyncStream<SessionEvent>.Continuation? in
            state.shuttingDown = true
            return state.session
        }
        shutdownSignal.trigger()
        session?.yield(.shutdown)
    }

    private func connectLoop() async {
        var schedule = ReconnectSchedule(minimum: configuration.reconnectDelay.min, maximum: configuration.reconnectDelay.max)
        if configuration.tls == .plaintext {
            logger.warning("connecting without TLS, as configured: passwords and messages travel in clear text")
        }
        await ReconnectingConnection.run(schedule: &schedule, shutdown: shutdownSignal) { attempt in
            setStatus(.connecting(attempt: attempt))
            return await runSession()
        } waiting: { delay, outcome in
            logger.notice("disconnected (\(outcome.reason)); reconnecting in \(delay.formattedSeconds)")
            setStatus(.waiting(until: .now + delay, lastError: outcome.reason))
        }
        waiters.failAll(TransportError.notConnected(network: network))
        setStatus(.stopped)
        logger.info("stopped")
    }

    private func setStatus(_ status: Status) {
        statusBoard.publish(status)
    }

    // MARK: ChatTransport

    /// Hands the item to the session and waits for its confirmation (see ``ChatTransport``).
    /// More than ``DeliveryWaiters/capacity`` calls in flight fail at once (the outbox retries).
    public func deliver(_ item: OutboxItem) async throws {
        let network = self.network
        guard let session = shared.withLock({ $0.shuttingDown ? nil : $0.session }),
              let ticket = waiters.issue() else {
            throw TransportError.notConnected(network: network)
        }
        let waiters = self.waiters
        try await waiters.wait(for: ticket, ifUnknown: TransportError.notConnected(network: network)) {
            if case .terminated = session.yield(.deliver(item, DeliveryID(ticket))) {
                waiters.resolve(ticket, .failure(TransportError.notConnected(network: network)))
            }
        } onCancel: {}
    }

    // MARK: RoomControl

    /// Parts `room` with `reason` and forgets it (see ``RoomControl``). Not connected: it is
    /// forgotten for the next connection.
    public func leave(room: String, reason: String) async {
        let session = shared.withLock { state -> AsyncStream<SessionEvent>.Continuation? in
            state.invitedRooms.removeAll { $0.name.lowercased() == room.lowercased() }
            state.configuredRooms.removeAll { $0.name.lowercased() == room.lowercased() }
            return state.shuttingDown ? nil : state.session
        }
        session?.yield(.leave(room: room, reason: reason))
    }

    /// A room added to the configuration by a reload: joined now on a live connection, and on
    /// every reconnect after.
    public func join(room: String, key: String?) async {
        let added = IRCClientConfiguration.Room(name: room, key: key)
        let session = shared.withLock { state -> AsyncStream<SessionEvent>.Continuation? in
            if !state.configuredRooms.contains(where: { $0.name.lowercased() == room.lowercased() }) {
                state.configuredRooms.append(added)
            }
            return state.shuttingDown ? nil : state.session
        }
        session?.yield(.join(added))
    }

    /// New flood settings from a reload; unset values are the defaults, as at start.
    public func applyFlood(burst: Int?, interval: Duration?) async {
        let session = shared.withLock { state -> (AsyncStream<SessionEvent>.Continuation?, IRCClientConfiguration.FloodControl) in
            var flood = IRCClientConfiguration.FloodControl()
            if let burst { flood.burst = burst }
            if let interval { flood.interval = interval }
            state.flood = flood
            return (state.shuttingDown ? nil : state.session, flood)
        }
        session.0?.yield(.flood(session.1))
    }

    // MARK: HealthSource

    public func health() async -> [ComponentHealth] {
        let status = statusBoard.current
        // Structured fields for /readyz and /metrics: connected, rooms joined of configured.
        let configured = shared.withLock { $0.configuredRooms.count }
        return components(for: status).map { part in
            var part = part
            part.kind = .network
            part.roomsConfigured = configured
            if case .connected(_, let missing) = status {
                part.connected = true
                part.roomsJoined = max(0, configured - missing.count)
            } else {
                part.connected = false
                part.roomsJoined = 0
            }
            return part
        }
    }

    private func components(for status: Status) -> [ComponentHealth] {
        let component = "irc:\(network)"
        switch status {
        case .starting:
            return [ComponentHealth(component: component, status: .degraded, detail: "starting")]
        case .connecting(let attempt):
            return [ComponentHealth(component: component, status: attempt > 1 ? .down : .degraded,
                                    detail: "connecting to \(configuration.host):\(configuration.port) (attempt \(attempt))")]
        case .registering:
            return [ComponentHealth(component: component, status: .degraded, detail: "registering")]
        case .connected(let nick, let missing):
            if missing.isEmpty {
                return [ComponentHealth(component: component, status: .ok, detail: "connected as \(nick)")]
            }
            return [ComponentHealth(component: component, status: .degraded,
                                    detail: "connected as \(nick), not in \(missing.joined(separator: ", "))")]
        case .waiting(_, let lastError):
            return [ComponentHealth(component: component, status: .down, detail: "disconnected: \(lastError); reconnecting")]
        case .stopped:
            return [ComponentHealth(component: component, status: .down, detail: "stopped")]
        }
    }

    // MARK: Session

    typealias SessionOutcome = ReconnectingConnection.Outcome

    /// The configuration of the next connection: the configured one, unless an IRCv3 `sts`
    /// policy holds for the host (stored, or learnt from this process's plaintext connection),
    /// in which case it is TLS on the policy's port — never plaintext, never STARTTLS.
    private func effectiveConfiguration() async -> IRCClientConfiguration {
        var effective = configuration
        var policyPort: Int?
        if let stsPolicies {
            do {
                policyPort = try await stsPolicies.stsPort(host: Self.stsHost(configuration.host), now: Date())
            } catch {
                logger.error("cannot read the stored STS policies: \(error)")
            }
        }
        let port = policyPort ?? shared.withLock { $0.stsUpgradePort }
        guard let port else { return effective }
        if configuration.tls != .implicit || configuration.port != port {
            let source = policyPort != nil ? "the stored STS policy" : "the server's STS upgrade"
            logger.notice("\(source) for \(configuration.host) holds: connecting with TLS to port \(port) instead of \(configuration.tls) on port \(configuration.port)")
        }
        effective.tls = .implicit
        effective.port = port
        return effective
    }

    static func stsHost(_ host: String) -> String { host.lowercased() }

    /// One connection attempt, from connect to close.
    private func runSession() async -> SessionOutcome {
        let configuration = await effectiveConfiguration()
        let (events, continuation) = AsyncStream.makeStream(of: SessionEvent.self)

        // TLS material first: a bad CA file or key is a configuration error worth saying clearly.
        var sslContext: NIOSSLContext?
        if configuration.tls != .plaintext {
            do {
                sslContext = try IRCTLS.context(for: configuration)
            } catch {
                let reason = "cannot set up TLS: \(error); check tls.ca_file, tls.client_certificate and tls.client_key"
                logger.error("\(reason)")
                return SessionOutcome(reason: reason, retry: .later)
            }
        }
        let serverHostname = IRCTLS.serverHostname(for: configuration)
        // Backpressure: lines from the socket not yet handled.
        let credit = InboundCredit()

        let channel: any Channel
        do {
            logger.info("connecting to \(configuration.host):\(configuration.port) (\(configuration.tls))")
            let implicitTLS = configuration.tls == .implicit ? sslContext : nil
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(20))
                .channelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: implicitTLS, serverHostname: serverHostname))
                        }
                        try channel.pipeline.syncOperations.addHandler(ReadPausingHandler(credit: credit))
                        try channel.pipeline.syncOperations.addHandler(
                            IRCInboundHandler(startTLS: configuration.tls == .startTLS) { event in
                                credit.produced()
                                if case .terminated = continuation.yield(.channel(event)) { credit.consumed() }
                            })
                    }
                }
                .connect(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            let reason = "cannot connect to \(configuration.host):\(configuration.port): \(ConnectionErrorWords.describe(error))"
            logger.warning("\(reason)")
            return SessionOutcome(reason: reason)
        }

        let accepted = shared.withLock { state -> Bool in
            guard !state.shuttingDown else { return false }
            state.session = continuation
            return true
        }
        guard accepted else {
            try? await channel.close()
            return SessionOutcome(reason: "shutting down")
        }
        setStatus(.registering)

        let timer = DeadlineTimer { continuation.yield(.deadline) }
        let (invited, sessionConfiguration) = shared.withLock { state in
            var current = configuration
            current.rooms = state.configuredRooms
            current.flood = state.flood ?? configuration.flood
            return (state.invitedRooms, current)
        }
        var machine = IRCClientStateMachine(configuration: sessionConfiguration, invitedRooms: invited, now: .now)
        if let roomLifecycle { machine.invitationDecider = { roomLifecycle.decide($0) } }
        var session = Session(
            connection: self, channel: channel, sslContext: sslContext, serverHostname: serverHostname,
            effectiveConfiguration: configuration,
            machine: machine,
            events: continuation, credit: credit)

        await session.perform(session.machine.connectionEstablished(now: .now))
        timer.schedule(session.nextDeadline(after: .now))
        var iterator = events.makeAsyncIterator()
        while session.isOpen, let event = await iterator.next() {
            await session.handle(event)
            if case .channel = event { credit.consumed() }
            session.publishStatus()
            timer.schedule(session.nextDeadline(after: .now))
        }

        // Tear down: no new events, fail whatever is still waiting.
        timer.stop()
        shared.withLock { $0.session = nil }
        continuation.finish()
        while let event = await iterator.next() {
            if case .deliver(_, let id) = event {
                waiters.resolve(id.rawValue, .failure(TransportError.notConnected(network: network)))
            }
        }
        await session.perform(session.machine.connectionClosed())
        session.failAllPending()
        shared.withLock { $0.invitedRooms = session.machine.rooms.invitedRooms }
        try? await channel.close()
        return SessionOutcome(reason: session.closeReason ?? "connection closed", readySince: session.readySince)
    }

    /// The state of one session task. Only that task touches it.
    private struct Session {
        let connection: IRCConnection
        let channel: any Channel
        let sslContext: NIOSSLContext?
        let serverHostname: String?
        /// The configuration this session connected with (TLS and port changed by STS).
        let effectiveConfiguration: IRCClientConfiguration
        var machine: IRCClientStateMachine
        let events: AsyncStream<SessionEvent>.Continuation
        let credit: InboundCredit

        var isOpen = true
        /// When the session became ready (registered, rooms answered), for the backoff reset.
        var readySince: ContinuousClock.Instant?
        var closeReason: String?
        /// Deliveries handed to the machine and not yet confirmed or failed.
        var pending: Set<DeliveryID> = []
        var quitting = false
        /// When we asked the channel to close; if it has not reported closing 10 s later, the
        /// session ends anyway.
        var closeRequestedAt: ContinuousClock.Instant?
        var quitSentAt: ContinuousClock.Instant?

        var logger: Logger { connection.logger }
        var network: String { connection.network }

        /// Seconds the server has to close the link after our QUIT, and the link to report
        /// closing after we closed it.
        static let quitGrace: Duration = .seconds(3)
        static let closeGrace: Duration = .seconds(10)

        /// When the next event must happen even if nothing arrives: the machine's deadline (flood
        /// release, keepalive, registration, rejoin, nick regain, echo) or our close deadlines.
        mutating func nextDeadline(after now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
            var deadline = machine.nextDeadline(after: now)
            if let quitSentAt, closeRequestedAt == nil { deadline = deadline.earliest(quitSentAt + Self.quitGrace) }
            if let closeRequestedAt { deadline = deadline.earliest(closeRequestedAt + Self.closeGrace) }
            return deadline
        }

        func resolve(_ id: DeliveryID, _ result: Result<Void, any Error>) {
            connection.waiters.resolve(id.rawValue, result)
        }

        mutating func handle(_ event: SessionEvent) async {
            let now = ContinuousClock.now
            switch event {
            case .channel(.message(let message)):
                if logger.logLevel <= .trace {
                    logger.trace("<< \(IRCLogRedaction.describe(message))")
                }
                await perform(machine.receive(message, now: now))
            case .channel(.tlsHandshakeCompleted(let discarded)):
                if discarded > 0 {
                    logger.warning("STARTTLS: dropped \(discarded) plaintext bytes received after 670 (injected on the path, or a broken server)")
                }
                logger.info("STARTTLS: TLS started (handshake complete)")
                await perform(machine.tlsEstablished(now: now))
            case .channel(.unparsable(let error)):
                logger.debug("skipping a line from the server: \(error)")
            case .channel(.error(let error)):
                if IRCTLS.isTLSError(error) {
                    closeReason = ConnectionErrorWords.describe(error)
                    logger.error("\(IRCTLS.explain(error, configuration: connection.configuration))")
                } else if closeReason == nil {
                    closeReason = "connection error: \(ConnectionErrorWords.describe(error))"
                    logger.warning("\(closeReason ?? "")")
                }
                requestClose()
            case .channel(.closed):
                closeReason = closeReason ?? (quitting ? "shut down" : "the server closed the connection")
                isOpen = false
            case .deadline:
                if let quitSentAt, closeRequestedAt == nil, now - quitSentAt >= Self.quitGrace {
                    requestClose()
                }
                if let requested = closeRequestedAt, now - requested >= Self.closeGrace {
                    logger.warning("the connection did not close within \(Self.closeGrace.formattedSeconds); abandoning it")
                    isOpen = false
                    return
                }
                await perform(machine.tick(now: now))
            case .deliver(let item, let id):
                guard !quitting else {
                    resolve(id, .failure(TransportError.notConnected(network: network)))
                    return
                }
                pending.insert(id)
                await perform(machine.deliver(item, id: id, now: now))
            case .writeCompleted(let id, let success):
                await perform(machine.writeCompleted(id, success: success, now: now))
            case .leave(let room, let reason):
                await perform(machine.leave(room, reason: reason, now: now))
            case .join(let room):
                await perform(machine.joinConfigured(room, now: now))
            case .flood(let flood):
                await perform(machine.setFlood(flood, now: now))
            case .shutdown:
                quit()
            }
        }

        /// Graceful shutdown: QUIT, then wait (at most 3 s) for the server to close the link, so
        /// the QUIT is processed rather than lost to a "Connection closed". QUIT skips the flood
        /// queue: it is the last line on this connection whatever the server thinks of its timing.
        mutating func quit() {
            guard !quitting else { return }
            quitting = true
            quitSentAt = .now
            closeReason = "shut down"
            logger.info("quitting")
            channel.writeAndFlush(Self.frame(IRCMessage(command: "QUIT", parameters: ["Tocsin shutting down"]), channel: channel), promise: nil)
        }

        mutating func requestClose() {
            if closeRequestedAt == nil { closeRequestedAt = .now }
            channel.close(promise: nil)
        }

        mutating func perform(_ actions: [IRCClientStateMachine.Action]) async {
            var work = actions[...]
            while let action = work.popFirst() {
                switch action {
                case .write(let message, let delivery):
                    guard !quitting else {
                        if let delivery, pending.remove(delivery) != nil {
                            resolve(delivery, .failure(TransportError.notConnected(network: network)))
                        }
                        continue
                    }
                    if logger.logLevel <= .trace {
                        logger.trace(">> \(IRCLogRedaction.describe(message))")
                    }
                    let promise = channel.eventLoop.makePromise(of: Void.self)
                    channel.writeAndFlush(Self.frame(message, channel: channel), promise: promise)
                    if let delivery {
                        let events = self.events
                        promise.futureResult.whenComplete { result in
                            let success: Bool
                            if case .success = result { success = true } else { success = false }
                            events.yield(.writeCompleted(delivery, success: success))
                        }
                    }
                case .upgradeToTLS:
                    do {
                        // Registration resumes on `.tlsHandshakeCompleted`, not here: adding the
                        // handler only starts the handshake.
                        try await addTLS()
                    } catch {
                        closeReason = ConnectionErrorWords.describe(error)
                        logger.error("\(IRCTLS.explain(error, configuration: connection.configuration))")
                        requestClose()
                    }
                case .inbound(let message):
                    // In order, on this task: `onMessage` returns at once (see `init`).
                    await connection.onMessage(message)
                case .ready:
                    if readySince == nil { readySince = .now }
                    connection.onReady(network)
                case .confirmDelivery(let id):
                    if pending.remove(id) != nil { resolve(id, .success(())) }
                case .failDelivery(let id, let error):
                    if pending.remove(id) != nil { resolve(id, .failure(error)) }
                case .close(let reason):
                    logger.notice("closing the connection: \(reason)")
                    closeReason = closeReason ?? reason
                    requestClose()
                case .log(let level, let text):
                    logger.log(level: level, "\(text)")
                case .room(let event):
                    connection.roomLifecycle?.roomEvent(event)
                case .upgradeToSTS(let port):
                    connection.shared.withLock { $0.stsUpgradePort = port }
                case .rememberSTSPolicy(let policyPort, let duration):
                    await rememberSTSPolicy(port: policyPort, duration: duration)
                }
            }
        }

        /// Stores (or with a zero duration removes) the host's STS policy. The policy's port is
        /// the port of this TLS connection; after STARTTLS there is no TLS port of our own, so
        /// only a policy naming one is kept.
        func rememberSTSPolicy(port policyPort: Int?, duration: Duration) async {
            guard let store = connection.stsPolicies else { return }
            let host = IRCConnection.stsHost(effectiveConfiguration.host)
            do {
                if duration <= .zero {
                    try await store.removeSTSPolicy(host: host)
                    logger.notice("the server removed its STS policy (duration=0)")
                    return
                }
                let port = effectiveConfiguration.tls == .implicit ? effectiveConfiguration.port : policyPort
                guard let port else {
                    logger.notice("not storing the server's STS policy: it names no TLS port and this connection used STARTTLS")
                    return
                }
                let expires = Date().addingTimeInterval(Double(duration.components.seconds))
                try await store.saveSTSPolicy(host: host, port: port, expires: expires)
                logger.info("STS policy stored: TLS on port \(port) required for \(effectiveConfiguration.host) for \(duration.formattedSeconds)")
            } catch {
                logger.error("cannot store the server's STS policy: \(error)")
            }
        }

        private func addTLS() async throws {
            guard let sslContext else { throw IRCConnectionError.tlsNotConfigured }
            let channel = self.channel
            let serverHostname = self.serverHostname
            try await channel.eventLoop.submit {
                let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname)
                try channel.pipeline.syncOperations.addHandler(handler, position: .first)
            }.get()
        }

        mutating func failAllPending() {
            for id in pending {
                resolve(id, .failure(TransportError.notConnected(network: network)))
            }
            pending = []
        }

        /// What ``publishStatus()`` last published (registered, nick, rooms' revision): it
        /// publishes again only when that changed, not for every line and delivery.
        var publishedStatus: (registered: Bool, nick: String, rooms: Int)?

        mutating func publishStatus() {
            let key = (registered: machine.isRegistered, nick: machine.nick, rooms: machine.rooms.revision)
            if let publishedStatus, publishedStatus == key { return }
            publishedStatus = key
            let status: Status
            if machine.isRegistered {
                let missing = machine.rooms.missingRooms.map(\.name)
                status = .connected(nick: machine.nick, missingRooms: missing)
            } else {
                status = .registering
            }
            connection.setStatus(status)
        }

        static func frame(_ message: IRCMessage, channel: any Channel) -> ByteBuffer {
            let bytes = message.serialized()
            var buffer = channel.allocator.buffer(capacity: bytes.count + 2)
            buffer.writeBytes(bytes)
            buffer.writeBytes([0x0D, 0x0A])
            return buffer
        }
    }
}
