import XMPP

/// What the bot knows about one room (XEP-0045): whether it is in, under which nickname, whether
/// the room shows real JIDs, and who is who.
struct MUCRoom: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// Why the bot is in the room's list.
    enum Origin: Sendable, Hashable {
        case configured
        case invited
    }

    enum Status: Sendable, Hashable {
        /// Not joined; will be joined when the session is up.
        case idle
        /// Join presence sent at `since`; waiting for the self-presence (status 110).
        case joining(since: Instant)
        /// Self-presence with status 110 received (XEP-0045 §7.2.2).
        case joined
        /// Removed (kicked, room destroyed, service shutdown); rejoin at `rejoinAt`, never if `nil`.
        case left(reason: String, rejoinAt: Instant?)
        /// Banned (status 301, or a join refused with `forbidden`): never rejoin on our own.
        case banned(reason: String)
        /// The room refused the join (password, members-only…); try again at `retryAt`.
        case refused(reason: String, retryAt: Instant?)
    }

    /// The room's bare JID.
    let jid: JID
    var password: String?
    /// Invited rooms become configured when a reload adds them to `rooms:`.
    var origin: Origin
    /// The nickname we asked for (or got, status 210).
    var nick: String
    /// 0 for the configured nickname, n for the n-th alternative after a 409 conflict.
    var nickAttempt = 0
    var status: Status = .idle
    /// Until the room shows real JIDs (status 100/172 or `<item jid=…>`), treat it as anonymous:
    /// nobody's identity can be verified there.
    var isAnonymous = true
    /// Occupant nickname → real bare JID (`nil` when the room does not show it).
    var occupants: [String: JID?] = [:]
    /// Occupants the room announced while our join was pending (XEP-0045 §7.2.3 sends them before
    /// our self-presence); they count only once status 110 confirms the join.
    var pendingOccupants: [String: JID?] = [:]
    /// When to send the next XEP-0410 self-ping.
    var nextSelfPing: Instant?

    init(jid: JID, password: String?, origin: Origin, nick: String) {
        self.jid = jid.bare
        self.password = password
        self.origin = origin
        self.nick = nick
    }

    var isJoined: Bool { status == .joined }

    /// Whether the bot still means to be in the room: not when it was removed and will not rejoin
    /// (a configured room kicked without `rejoin_after_kick_seconds`), so health does not call the
    /// network degraded for a room nobody wants it in.
    var isWanted: Bool {
        if case .left(_, nil) = status { return false }
        return true
    }

    var isJoining: Bool {
        if case .joining = status { return true }
        return false
    }

    /// Our occupant JID, `room@service/nick`.
    var occupantJID: JID? { try? jid.with(resource: nick) }

    /// The real bare JID behind a nickname, if the room shows it.
    func realJID(ofNick nick: String) -> JID? {
        occupants[nick] ?? nil
    }

    /// A short human description of the status, for health and logs.
    var statusDescription: String {
        switch status {
        case .idle: "not joined"
        case .joining: "joining"
        case .joined: "joined"
        case .left(let reason, let rejoinAt): rejoinAt == nil ? "left (\(reason)); not rejoining" : "left (\(reason)); rejoining later"
        case .banned(let reason): "banned (\(reason))"
        case .refused(let reason, _): "join refused: \(reason)"
        }
    }
}
