import IRC

/// Where one IRC connection stands, each phase holding only what exists in it (the swift-nio-ssh
/// pattern): nothing about deliveries, readiness or nick regain can be touched before the server
/// registered us, and nothing at all after the connection closed.
enum IRCSessionPhase: Sendable {
    /// From the TCP (or TLS) connection until the end of the MOTD; registration itself is
    /// ``IRCRegistrationStateMachine``.
    case registering(IRCRegisteringState)
    /// Registered: rooms, deliveries and nick regain are live.
    case registered(IRCRegisteredState)
    /// Closed (by us or the server); every event is ignored.
    case closed
    /// Only while a mutation of the phase's state is in progress (keeps its storage uniquely
    /// referenced); never seen between events.
    case modifying
}

/// Before registration completed: the deadlines that give up on a server that says nothing, or
/// never lets us in.
struct IRCRegisteringState: Sendable, Hashable {
    enum Expiry: Sendable, Hashable {
        /// Not a single line since connecting (often a TLS/plaintext port mix-up).
        case silentServer
        /// Lines, but no end of registration.
        case registrationStuck
    }

    let connectedAt: ContinuousClock.Instant
    private(set) var receivedAnything = false

    init(connectedAt: ContinuousClock.Instant) {
        self.connectedAt = connectedAt
    }

    mutating func received() {
        receivedAnything = true
    }

    /// The deadline that has passed at `now`, if any (the silent-server one first).
    func expiry(now: ContinuousClock.Instant, silentServerTimeout: Duration, registrationTimeout: Duration) -> Expiry? {
        if !receivedAnything && now - connectedAt >= silentServerTimeout { return .silentServer }
        if now - connectedAt >= registrationTimeout { return .registrationStuck }
        return nil
    }

    func nextDeadline(silentServerTimeout: Duration, registrationTimeout: Duration) -> ContinuousClock.Instant {
        receivedAnything
            ? connectedAt + registrationTimeout
            : connectedAt + min(silentServerTimeout, registrationTimeout)
    }
}

/// After the end of the MOTD: what only a registered connection has.
struct IRCRegisteredState: Sendable {
    /// Whether the core has been told the session is ready.
    enum Readiness: Sendable, Hashable {
        /// JOINs are in flight: ready when they are all answered, or at this time at the latest.
        case awaitingRooms(deadline: ContinuousClock.Instant)
        case ready
    }

    var readiness: Readiness
    var nickRegain: IRCNickRegain
    var deliveries = IRCDeliveryTracker()

    init(readiness: Readiness, nickRegain: IRCNickRegain) {
        self.readiness = readiness
        self.nickRegain = nickRegain
    }

    /// Called when a JOIN was answered (joined or refused): true when that made the session
    /// ready, which happens once.
    mutating func roomAnswered(joinsInFlight: Bool) -> Bool {
        guard case .awaitingRooms = readiness, !joinsInFlight else { return false }
        readiness = .ready
        return true
    }

    /// True when the wait for the rooms ends at `now`.
    mutating func readyDeadlinePassed(now: ContinuousClock.Instant) -> Bool {
        guard case .awaitingRooms(let deadline) = readiness, now >= deadline else { return false }
        readiness = .ready
        return true
    }

    var isReady: Bool { readiness == .ready }
}
