import IRC

/// The rooms the bot wants to be in and where it stands with each: configured rooms, rooms it
/// accepted an invitation to, joins in flight, refusals to retry later, kicks to rejoin after.
///
/// Names compare under the server's CASEMAPPING (RFC 1459 folds `[]\~` to `{}|^`), so `#Ops[1]`
/// from the server is the configured `#ops{1}`; the configured spelling is what the rest of
/// Tocsin sees.
public struct IRCRoomTracker: Sendable {
    public enum Origin: Sendable, Hashable {
        case configured
        case invited
        /// The server put us there (SAJOIN, a +L forward): kept while we are in it, never
        /// rejoined nor remembered.
        case joinedByServer
    }

    public enum Status: Sendable, Hashable {
        /// Not asked for yet on this connection.
        case wanted
        /// JOIN sent at that time, no answer yet.
        case joining(since: ContinuousClock.Instant)
        case joined
        /// The server refused (471/473/474/475/477/…); try again at that time.
        case retrying(at: ContinuousClock.Instant, attempt: Int, reason: String)
        /// Kicked or parted by someone else; rejoin at that time, or never on this connection.
        case left(rejoinAt: ContinuousClock.Instant?, reason: String)
    }

    public struct Room: Sendable, Hashable {
        public var name: String
        public var key: String?
        public var origin: Origin
        public var status: Status
        /// Refusals in a row, for the retry backoff.
        public var failures: Int = 0
    }

    /// First retry after a refusal; doubles per refusal up to ``maximumRetryDelay``.
    public var firstRetryDelay: Duration = .seconds(30)
    public var maximumRetryDelay: Duration = .seconds(30 * 60)
    /// A JOIN without any answer for this long is sent again.
    public var joinTimeout: Duration = .seconds(60)

    public private(set) var caseMapping: IRCCaseMapping
    private var rooms: [String: Room] = [:] { didSet { revision &+= 1 } }
    /// Folded names in the order rooms were added (configuration order first).
    private var order: [String] = [] { didSet { revision &+= 1 } }
    /// Changes with every change to a room, so the connection republishes its status (the
    /// missing rooms) only when something changed, not on every line. (`didSet` without
    /// `oldValue` keeps in-place mutation: no copy of the dictionary.)
    public private(set) var revision = 0

    public init(
        configured: [IRCClientConfiguration.Room], invited: [IRCClientConfiguration.Room] = [],
        caseMapping: IRCCaseMapping = .rfc1459
    ) {
        self.caseMapping = caseMapping
        for room in configured { add(room, origin: .configured) }
        for room in invited { add(room, origin: .invited) }
    }

    private mutating func add(_ room: IRCClientConfiguration.Room, origin: Origin) {
        let key = caseMapping.fold(room.name)
        guard !room.name.isEmpty, rooms[key] == nil else { return }
        rooms[key] = Room(name: room.name, key: room.key, origin: origin, status: .wanted)
        order.append(key)
    }

    /// Re-keys everything when 005 announces a different CASEMAPPING.
    public mutating func setCaseMapping(_ mapping: IRCCaseMapping) {
        guard mapping != caseMapping else { return }
        caseMapping = mapping
        var rekeyed: [String: Room] = [:]
        var newOrder: [String] = []
        for key in order {
            guard let room = rooms[key] else { continue }
            let newKey = mapping.fold(room.name)
            guard rekeyed[newKey] == nil else { continue }
            rekeyed[newKey] = room
            newOrder.append(newKey)
        }
        rooms = rekeyed
        order = newOrder
    }

    // MARK: Queries

    public func room(_ name: String) -> Room? {
        rooms[caseMapping.fold(name)]
    }

    public var all: [Room] {
        order.compactMap { rooms[$0] }
    }

    public func isJoined(_ name: String) -> Bool {
        room(name)?.status == .joined
    }

    /// The spelling Tocsin uses for a room the server names, e.g. the configured `#ops` for `#OPS`.
    public func canonicalName(_ name: String) -> String {
        room(name)?.name ?? name
    }

    /// Invited rooms worth remembering across reconnects.
    public var invitedRooms: [IRCClientConfiguration.Room] {
        all.filter { $0.origin == .invited }.map { IRCClientConfiguration.Room(name: $0.name, key: $0.key) }
    }

    /// Rooms we want but are not in (for health).
    public var missingRooms: [Room] {
        all.filter { room in
            if case .left(nil, _) = room.status { return false }
            return room.status != .joined
        }
    }

    /// True while some JOIN is unanswered.
    public var hasJoinsInFlight: Bool {
        all.contains { if case .joining = $0.status { return true } else { return false } }
    }

    /// When ``joinsDue(now:isupport:)`` next has a JOIN to send: `now` for a room not asked
    /// for yet, else the earliest retry, rejoin or join timeout; nil when nothing is pending.
    public func nextJoinDue(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        var earliest: ContinuousClock.Instant?
        for room in rooms.values {
            let due: ContinuousClock.Instant?
            switch room.status {
            case .wanted: due = now
            case .joining(let since): due = since + joinTimeout
            case .joined: due = nil
            case .retrying(let at, _, _): due = at
            case .left(let rejoinAt, _): due = rejoinAt
            }
            if let due, earliest.map({ due < $0 }) ?? true { earliest = due }
        }
        return earliest
    }

    // MARK: Events

    /// JOIN lines for every room that is due (new, retry time reached, rejoin time reached, or an
    /// unanswered JOIN timed out), batched within TARGMAX and the line length; marks them joining.
    public mutating func joinsDue(now: ContinuousClock.Instant, isupport: ISupport) -> [IRCMessage] {
        var due: [IRCClientConfiguration.Room] = []
        for key in order {
            guard var room = rooms[key] else { continue }
            let isDue: Bool
            switch room.status {
            case .wanted: isDue = true
            case .joining(let since): isDue = now - since >= joinTimeout
            case .joined: isDue = false
            case .retrying(let at, _, _): isDue = now >= at
            case .left(let rejoinAt, _): isDue = rejoinAt.map { now >= $0 } ?? false
            }
            guard isDue else { continue }
            room.status = .joining(since: now)
            rooms[key] = room
            due.append(IRCClientConfiguration.Room(name: room.name, key: room.key))
        }
        return Self.joinMessages(for: due, maxTargets: isupport.maxTargets(for: "JOIN"), lineLength: isupport.lineLength)
    }

    /// Our own JOIN echo. Returns the canonical name and whether we were not in the room before.
    @discardableResult
    public mutating func joined(_ name: String) -> (name: String, isNew: Bool) {
        let key = caseMapping.fold(name)
        guard var room = rooms[key] else {
            // Joined by the server (SAJOIN, auto-join) or a forwarded channel.
            rooms[key] = Room(name: name, key: nil, origin: .joinedByServer, status: .joined)
            order.append(key)
            return (name, true)
        }
        let wasJoined = room.status == .joined
        room.status = .joined
        room.failures = 0
        rooms[key] = room
        return (room.name, !wasJoined)
    }

    /// The server refused a JOIN. Returns the delay before the next try, nil for unknown rooms.
    @discardableResult
    public mutating func joinRefused(_ name: String, reason: String, now: ContinuousClock.Instant) -> Duration? {
        let key = caseMapping.fold(name)
        guard var room = rooms[key] else { return nil }
        room.failures += 1
        var delay = firstRetryDelay
        for _ in 1..<room.failures where delay < maximumRetryDelay { delay = delay * 2 }
        delay = min(delay, maximumRetryDelay)
        room.status = .retrying(at: now + delay, attempt: room.failures, reason: reason)
        rooms[key] = room
        return delay
    }

    /// Someone removed us (KICK, or a PART we did not ask for). An invited room is forgotten:
    /// being kicked is the room's answer to the invitation, and `rejoin_after_kick_seconds` is for
    /// configured rooms only. A configured room with `rejoinAfter` nil is left for the rest of
    /// this connection. Returns the room as it was, nil for a room we did not know.
    @discardableResult
    public mutating func removed(from name: String, reason: String, rejoinAfter: Duration?, now: ContinuousClock.Instant) -> Room? {
        let key = caseMapping.fold(name)
        guard var room = rooms[key] else { return nil }
        if room.origin == .joinedByServer || room.origin == .invited {
            return forget(name)
        }
        let previous = room
        room.status = .left(rejoinAt: rejoinAfter.map { now + $0 }, reason: reason)
        rooms[key] = room
        return previous
    }

    /// Drops the room from the list (`!leave`, a kick from an invited room): it is neither
    /// rejoined nor remembered for the next connection.
    @discardableResult
    public mutating func forget(_ name: String) -> Room? {
        let key = caseMapping.fold(name)
        guard let room = rooms.removeValue(forKey: key) else { return nil }
        order.removeAll { $0 == key }
        return room
    }

    /// A room added to the configuration while connected (a reload). A room held by invitation
    /// becomes configured (rejoined after kicks per `rejoin_after_kick_seconds`, never forgotten).
    /// Returns true when the room needs a JOIN.
    public mutating func configure(_ room: IRCClientConfiguration.Room) -> Bool {
        let key = caseMapping.fold(room.name)
        guard var existing = rooms[key] else {
            add(room, origin: .configured)
            return rooms[key] != nil
        }
        existing.origin = .configured
        existing.key = room.key ?? existing.key
        switch existing.status {
        case .joined, .joining:
            rooms[key] = existing
            return false
        default:
            existing.status = .wanted
            rooms[key] = existing
            return true
        }
    }

    /// An accepted invitation. Returns true when the room needs a JOIN.
    public mutating func invited(to name: String) -> Bool {
        let key = caseMapping.fold(name)
        if var room = rooms[key] {
            switch room.status {
            case .joined, .joining: return false
            default:
                room.status = .wanted
                rooms[key] = room
                return true
            }
        }
        add(IRCClientConfiguration.Room(name: name), origin: .invited)
        return true
    }

    // MARK: Batching

    /// `JOIN #a,#b,#c keyA,keyB` lines: rooms with keys first (keys are positional), at most
    /// `maxTargets` channels per line (TARGMAX, nil for no limit) and at most `lineLength` bytes
    /// including CRLF (RFC 1459 §2.3).
    public static func joinMessages(
        for rooms: [IRCClientConfiguration.Room], maxTargets: Int?, lineLength: Int = 512
    ) -> [IRCMessage] {
        let ordered = rooms.filter { $0.key != nil } + rooms.filter { $0.key == nil }
        let limit = max(1, maxTargets ?? .max)
        var messages: [IRCMessage] = []
        var channels: [String] = []
        var keys: [String] = []

        func message(_ channels: [String], _ keys: [String]) -> IRCMessage {
            var parameters = [channels.joined(separator: ",")]
            if !keys.isEmpty { parameters.append(keys.joined(separator: ",")) }
            return IRCMessage(command: "JOIN", parameters: parameters)
        }
        func fits(_ message: IRCMessage) -> Bool {
            message.serialized().count + 2 <= lineLength
        }

        for room in ordered {
            var nextChannels = channels + [room.name]
            var nextKeys = keys
            if let key = room.key { nextKeys.append(key) }
            if !channels.isEmpty && (nextChannels.count > limit || !fits(message(nextChannels, nextKeys))) {
                messages.append(message(channels, keys))
                nextChannels = [room.name]
                nextKeys = room.key.map { [$0] } ?? []
            }
            channels = nextChannels
            keys = nextKeys
        }
        if !channels.isEmpty { messages.append(message(channels, keys)) }
        return messages
    }
}
