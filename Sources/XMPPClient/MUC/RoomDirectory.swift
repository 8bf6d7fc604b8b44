import Logging
import TocsinCore
import XMPP

/// The rooms the bot sits in, driven by presence (XEP-0045) and time, as a plain value.
///
/// It decides when to (re)join and under which nickname, follows our own membership (status 110,
/// 307 kick, 301 ban, `<destroy/>`), keeps the occupant → real-JID map that identity checks rely
/// on, and schedules XEP-0410 self-pings. It returns what to send and what to log; it never
/// sends and holds no logger.
struct RoomDirectory: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// Something the session must act on.
    enum Event: Sendable, Equatable {
        /// Send this stanza (a join presence).
        case send(XMLElement)
        /// We are now in this room.
        case joined(JID)
        /// We are no longer in this room.
        case left(JID)
        /// A room joined on invitation is gone for good (kicked, banned, destroyed, refused):
        /// removed from the directory, never rejoined; the core forgets it too.
        case forgotten(JID, reason: String)
        /// Time for a XEP-0410 self-ping to our occupant JID.
        case selfPingDue(room: JID, occupant: JID)
        /// Joining created the room (status 201): it may need the instant-room configuration.
        case roomCreated(JID)
        /// Something for the operator's log.
        case log(Logger.Level, String, Logger.Metadata)
    }

    /// Alternative nicknames tried after 409 conflicts before giving up for a while.
    static let maximumNickAttempts = 9

    private(set) var rooms: [JID: MUCRoom] = [:] { didSet { revision &+= 1 } }
    /// Rooms in the order they were added, for stable joins and health output.
    private(set) var order: [JID] = [] { didSet { revision &+= 1 } }
    /// Changes with every change to a room, so the connection republishes its health (30 rooms'
    /// names and states) only when something changed, not on every stanza. (`didSet` without
    /// `oldValue` keeps in-place mutation: no copy of the dictionary.)
    private(set) var revision = 0
    let baseNick: String
    let rejoinAfterKick: Duration?
    var selfPingInterval: Duration = .seconds(300)
    var joinTimeout: Duration = .seconds(60)
    /// Delay before retrying a refused join or one removed for a technical reason.
    var retryDelay: Duration = .seconds(300)

    init(configured: [XMPPClientConfiguration.Room], nick: String, rejoinAfterKick: Duration?) {
        baseNick = nick
        self.rejoinAfterKick = rejoinAfterKick
        for room in configured {
            add(MUCRoom(jid: room.jid, password: room.password, origin: .configured, nick: nick))
        }
    }

    subscript(room: JID) -> MUCRoom? { rooms[room.bare] }

    var all: [MUCRoom] { order.compactMap { rooms[$0] } }

    // MARK: Session lifecycle

    /// A new session (not a resumed one): every room the bot may be in is joined again, with
    /// fresh occupant lists. Kicked rooms keep their rejoin timer, bans stay.
    mutating func sessionStarted(now: Instant) -> [Event] {
        var events: [Event] = []
        for jid in order {
            guard var room = rooms[jid] else { continue }
            room.occupants = [:]
            room.pendingOccupants = [:]
            room.isAnonymous = true
            room.nickAttempt = 0
            room.nick = baseNick
            switch room.status {
            case .idle, .joining, .joined, .refused:
                rooms[jid] = room
                events += join(jid, now: now)
            case .left, .banned:
                rooms[jid] = room
            }
        }
        return events
    }

    /// Sends a join presence for `room` with its current nickname (XEP-0045 §7.2.1): no history,
    /// the password if any.
    mutating func join(_ jid: JID, now: Instant) -> [Event] {
        guard var room = rooms[jid.bare] else { return [] }
        do {
            let presence = try MUC.joinPresence(room: room.jid, nick: room.nick, password: room.password, maxStanzas: 0)
            room.status = .joining(since: now)
            room.pendingOccupants = [:]
            rooms[room.jid] = room
            return [.log(.info, "joining room", ["room": "\(room.jid)", "nick": "\(room.nick)"]), .send(presence)]
        } catch {
            room.status = .refused(reason: "nickname '\(room.nick)' is not a valid resource: \(error)", retryAt: nil)
            rooms[room.jid] = room
            return [.log(.error, "cannot join room: invalid nickname", ["room": "\(room.jid)", "error": "\(error)"])]
        }
    }

    // MARK: Invitations

    /// Follows an invitation the policy accepted: adds the room (or updates its password) and
    /// joins now if the session is up.
    mutating func accept(invitationTo room: JID, password: String?, canSend: Bool, now: Instant) -> [Event] {
        let jid = room.bare
        if var existing = rooms[jid] {
            if let password { existing.password = password }
            rooms[jid] = existing
            if existing.isJoined || existing.isJoining { return [] }
        } else {
            add(MUCRoom(jid: jid, password: password, origin: .invited, nick: baseNick))
        }
        guard canSend else { return [] }
        return join(jid, now: now)
    }

    /// A room added to `rooms:` by a configuration reload: configured from now on (an invited
    /// room it already holds changes origin), joined now if the session is up.
    mutating func configure(_ room: JID, password: String?, canSend: Bool, now: Instant) -> [Event] {
        let jid = room.bare
        if var existing = rooms[jid] {
            existing.origin = .configured
            if let password { existing.password = password }
            rooms[jid] = existing
            if existing.isJoined || existing.isJoining { return [] }
        } else {
            add(MUCRoom(jid: jid, password: password, origin: .configured, nick: baseNick))
        }
        guard canSend else { return [] }
        return join(jid, now: now)
    }

    /// Rooms joined on invitation before a restart: joined with the next session.
    mutating func restoreInvited(_ jids: [JID]) {
        for jid in jids { add(MUCRoom(jid: jid, password: nil, origin: .invited, nick: baseNick)) }
    }

    /// `!leave`: drops the room and, if the bot is in it (or joining), leaves with `reason` as the
    /// unavailable presence's status (XEP-0045 §7.14).
    mutating func leave(_ jid: JID, reason: String) -> [Event] {
        guard let room = remove(jid.bare) else {
            return [.log(.notice, "asked to leave a room the bot is not in", ["room": "\(jid.bare)"])]
        }
        var events: [Event] = [.log(.info, "leaving room on request", ["room": "\(room.jid)"])]
        if room.isJoined || room.isJoining, let occupant = room.occupantJID {
            events.append(.send(MUC.leavePresence(occupant: occupant, status: reason)))
        }
        if room.isJoined { events.append(.left(room.jid)) }
        return events
    }

    @discardableResult
    private mutating func remove(_ jid: JID) -> MUCRoom? {
        guard let room = rooms.removeValue(forKey: jid) else { return nil }
        order.removeAll { $0 == jid }
        return room
    }

    /// An invited room that is gone for good: out of the directory, and the core is told.
    private mutating func forgetInvited(_ room: MUCRoom, reason: String, wasJoined: Bool) -> [Event] {
        remove(room.jid)
        var events: [Event] = [.log(.warning, "removed from a room joined on invitation; forgotten, not rejoined", [
            "room": "\(room.jid)", "reason": "\(reason)",
        ])]
        if wasJoined { events.append(.left(room.jid)) }
        events.append(.forgotten(room.jid, reason: reason))
        return events
    }

    // MARK: Presence

    /// Updates room state from a presence. Only rooms the bot is joining or in are listened to:
    /// the directory holds rooms on trusted MUC services only (configured, or accepted
    /// invitations), and a room we did not ask to join has nothing to tell us.
    mutating func handle(_ presence: Presence, now: Instant) -> [Event] {
        guard let from = presence.from else { return [] }
        guard var room = rooms[from.bare] else {
            guard presence.mucUser != nil else { return [] }
            return [.log(.debug, "room presence ignored: not a room the bot is in", ["from": "\(from)"])]
        }
        guard room.isJoined || room.isJoining else {
            return [.log(.debug, "room presence ignored: the bot is not joining this room", [
                "from": "\(from)", "status": "\(room.statusDescription)",
            ])]
        }
        // Written back at the end, unless the room was forgotten meanwhile.
        defer { if rooms[room.jid] != nil { rooms[room.jid] = room } }

        if presence.isError {
            return joinRefused(&room, presence: presence, now: now)
        }
        guard let nick = from.resourcepart else { return [] }
        let info = presence.mucUser ?? MUCUserInfo()
        noteAnonymity(&room, info)
        // Our join is confirmed by status 110 only (XEP-0045 §7.2.2); a presence merely using our
        // nickname proves nothing. Leaving is believed more readily: it can only make us rejoin.
        let isSelf = info.isSelf || (presence.type == .unavailable && nick == room.nick && room.isJoined)

        if presence.type == .unavailable {
            if isSelf {
                return selfUnavailable(&room, info: info, now: now)
            }
            let joined = room.isJoined
            var occupants = joined ? room.occupants : room.pendingOccupants
            let realJID = occupants.removeValue(forKey: nick) ?? nil
            if info.statusCodes.contains(MUC.Status.nicknameChanged), let newNick = info.item?.nick {
                occupants[newNick] = info.item?.jid?.bare ?? realJID
            }
            if joined { room.occupants = occupants } else { room.pendingOccupants = occupants }
            return []
        }
        guard presence.type == .available else { return [] }

        if isSelf {
            var events: [Event] = []
            if nick != room.nick {
                events.append(.log(.notice, "room assigned another nickname", ["room": "\(room.jid)", "nick": "\(nick)"]))
                room.nick = nick
            }
            if !room.isJoined {
                room.status = .joined
                room.occupants.merge(room.pendingOccupants) { _, pending in pending }
                room.pendingOccupants = [:]
                room.nextSelfPing = now.advanced(by: selfPingInterval)
                events.append(.log(.info, "joined room", [
                    "room": "\(room.jid)", "nick": "\(room.nick)", "anonymous": "\(room.isAnonymous)",
                ]))
                events.append(.joined(room.jid))
            }
            if info.statusCodes.contains(MUC.Status.roomCreated) {
                // Our join created it: the room the bot was invited to no longer exists. Do not
                // keep (and own) a new empty room of that name.
                if room.origin == .invited, let occupant = room.occupantJID {
                    return events + [.send(MUC.leavePresence(occupant: occupant, status: "the room I was invited to no longer exists"))]
                        + forgetInvited(room, reason: "the room no longer exists (our join created it)", wasJoined: true)
                }
                events.append(.roomCreated(room.jid))
            }
            return events
        }
        if room.isJoined {
            room.occupants[nick] = info.item?.jid?.bare
        } else {
            room.pendingOccupants[nick] = info.item?.jid?.bare
        }
        return []
    }

    /// XEP-0045 §7.2.4 / §10.2.1: status 100 and 172 say the room shows real JIDs, 173 and 174 that
    /// it no longer does; an `<item jid=…>` in any presence shows it does.
    private func noteAnonymity(_ room: inout MUCRoom, _ info: MUCUserInfo) {
        if info.statusCodes.contains(MUC.Status.nonAnonymous) || info.statusCodes.contains(172) || info.item?.jid != nil {
            room.isAnonymous = false
        }
        if info.statusCodes.contains(173) || info.statusCodes.contains(174) {
            room.isAnonymous = true
        }
    }

    private mutating func joinRefused(_ room: inout MUCRoom, presence: Presence, now: Instant) -> [Event] {
        let failure = MUC.JoinFailure(presence: presence) ?? .other("undefined-condition")
        let wasJoined = room.isJoined
        switch failure {
        case .nicknameInUse:
            room.nickAttempt += 1
            guard room.nickAttempt <= Self.maximumNickAttempts else {
                room.status = .refused(reason: "every nickname tried is in use", retryAt: now.advanced(by: retryDelay))
                room.nickAttempt = 0
                room.nick = baseNick
                let log = Event.log(.warning, "room nickname in use; giving up for now", ["room": "\(room.jid)"])
                return wasJoined ? [log, .left(room.jid)] : [log]
            }
            room.nick = Self.alternativeNick(baseNick, attempt: room.nickAttempt)
            rooms[room.jid] = room
            let events = [Event.log(.notice, "room nickname in use; trying another", ["room": "\(room.jid)", "nick": "\(room.nick)"])]
                + join(room.jid, now: now)
            room = rooms[room.jid] ?? room
            return events
        case _ where room.origin == .invited:
            return forgetInvited(room, reason: "join refused: \(failure.description)", wasJoined: wasJoined)
        case .banned:
            room.status = .banned(reason: failure.description)
        default:
            room.status = .refused(reason: failure.description, retryAt: now.advanced(by: retryDelay))
        }
        room.occupants = [:]
        room.pendingOccupants = [:]
        let log = Event.log(.error, "could not join room", ["room": "\(room.jid)", "reason": "\(failure)"])
        return wasJoined ? [log, .left(room.jid)] : [log]
    }

    private mutating func selfUnavailable(_ room: inout MUCRoom, info: MUCUserInfo, now: Instant) -> [Event] {
        let codes = info.statusCodes
        if codes.contains(MUC.Status.nicknameChanged), let newNick = info.item?.nick {
            room.nick = newNick
            return []
        }
        let reasonSuffix = info.item?.reason.map { ": \($0)" } ?? ""
        let removal = codes.intersection([MUC.Status.banned, MUC.Status.kicked, MUC.Status.removedByAffiliationChange,
                                          MUC.Status.removedByMembersOnly])
        if room.origin == .invited, !removal.isEmpty || info.destroy != nil {
            // Kicked, banned or shut out of a room joined on invitation: that is the room's answer.
            let what = codes.contains(MUC.Status.banned) ? "banned" : codes.contains(MUC.Status.kicked) ? "kicked"
                : info.destroy != nil ? "room destroyed" : "removed by the room's configuration"
            return forgetInvited(room, reason: what + reasonSuffix, wasJoined: true)
        }
        let status: MUCRoom.Status
        if codes.contains(MUC.Status.banned) {
            status = .banned(reason: "banned" + reasonSuffix)
        } else if codes.contains(MUC.Status.kicked) {
            status = .left(reason: "kicked" + reasonSuffix, rejoinAt: rejoinAfterKick.map { now.advanced(by: $0) })
        } else if let destroy = info.destroy {
            status = .left(reason: "room destroyed" + (destroy.reason.map { ": \($0)" } ?? ""), rejoinAt: rejoinAfterKick.map { now.advanced(by: $0) })
        } else if codes.contains(MUC.Status.removedByAffiliationChange) || codes.contains(MUC.Status.removedByMembersOnly) {
            status = .left(reason: "removed by the room's configuration", rejoinAt: rejoinAfterKick.map { now.advanced(by: $0) })
        } else {
            status = .left(reason: "removed by the service", rejoinAt: now.advanced(by: .seconds(30)))
        }
        room.status = status
        room.occupants = [:]
        room.pendingOccupants = [:]
        room.nextSelfPing = nil
        return [.log(.warning, "no longer in room", ["room": "\(room.jid)", "status": "\(room.statusDescription)"]), .left(room.jid)]
    }

    /// `Tocsin_`, then `Tocsin_2`, `Tocsin_3`…
    static func alternativeNick(_ base: String, attempt: Int) -> String {
        attempt <= 1 ? base + "_" : base + "_\(attempt)"
    }

    // MARK: Self-ping and timers

    /// The answer to a self-ping (XEP-0410 §3.2): rejoin when we are not in the room any more.
    mutating func selfPingAnswered(room jid: JID, outcome: MUC.SelfPingOutcome, now: Instant) -> [Event] {
        guard let room = rooms[jid.bare], room.isJoined else { return [] }
        switch outcome {
        case .joined, .inconclusive:
            return []
        case .notJoined:
            var events: [Event] = [
                .log(.warning, "self-ping says the bot is no longer in the room; rejoining", ["room": "\(jid)"]),
                .left(room.jid),
            ]
            rooms[room.jid]?.occupants = [:]
            events += join(room.jid, now: now)
            return events
        }
    }

    /// Due rejoins, join timeouts and self-pings. Only call while the session can send.
    mutating func tick(now: Instant) -> [Event] {
        var events: [Event] = []
        for jid in order {
            guard var room = rooms[jid] else { continue }
            switch room.status {
            case .joining(let since) where now >= since.advanced(by: joinTimeout):
                events.append(.log(.notice, "no answer to the room join; trying again", ["room": "\(jid)"]))
                events += join(jid, now: now)
            case .left(_, let rejoinAt?) where now >= rejoinAt:
                room.nick = baseNick
                room.nickAttempt = 0
                rooms[jid] = room
                events += join(jid, now: now)
            case .refused(_, let retryAt?) where now >= retryAt:
                events += join(jid, now: now)
            case .joined:
                if let due = room.nextSelfPing, now >= due, let occupant = room.occupantJID {
                    room.nextSelfPing = now.advanced(by: selfPingInterval)
                    rooms[jid] = room
                    events.append(.selfPingDue(room: jid, occupant: occupant))
                }
            default:
                break
            }
        }
        return events
    }

    private mutating func add(_ room: MUCRoom) {
        guard rooms[room.jid] == nil else { return }
        rooms[room.jid] = room
        order.append(room.jid)
    }
}
