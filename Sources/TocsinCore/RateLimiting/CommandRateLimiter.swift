import Synchronization

/// Decides whether a chat command may run now, with one token bucket per user and one per room.
///
/// Without it anyone in a room — a nick with no account included — could keep the bot and the
/// incident API busy and fill the room's outbox (issue 10). A command runs only when both its
/// user's and its room's bucket hold a token; then it takes one from each.
///
/// - The user is the verified ``ChatIdentity`` when there is one, else the network and the nick
///   (case-folded). Nicks are free to rotate, which the room bucket covers.
/// - The "room" of a direct message is all direct messages on that network, so a swarm of fresh
///   nicks in private cannot flood the bot either.
/// - A refused command gets at most ONE polite notice per user per limited period (and per room
///   when the room's bucket is the one that ran out), then silence: a reply to every refused line
///   would be the flood again. The period ends when that user (or room) is let through again.
///
/// Time comes from the injected clock, so the behaviour is unit-tested without waiting.
public final class CommandRateLimiter: Sendable {
    public enum Decision: Sendable, Hashable {
        case allowed
        /// Refused; `notice` is the one line to send back, or nil when the sender was already told.
        case limited(notice: RichText?)
    }

    private struct Entry {
        var bucket: CommandBucket
        var warned = false
    }

    private struct State {
        var users: [String: Entry] = [:]
        var rooms: [String: Entry] = [:]
        var lastPrune: ContinuousClock.Instant?
    }

    public let limits: CommandRateLimits
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())
    /// Above this many tracked users or rooms, full buckets (which carry no state) are dropped.
    private let pruneAbove: Int

    public init(limits: CommandRateLimits = .standard, pruneAbove: Int = 1000,
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.limits = limits
        self.pruneAbove = pruneAbove
        self.now = now
    }

    /// The bucket key for the sender of `message`.
    public static func userKey(for message: InboundMessage) -> String {
        if let identity = message.identity { return identity.description }
        return "nick:\(message.origin.network)/\(message.senderName.lowercased())"
    }

    /// The bucket key for the conversation of `message`.
    public static func roomKey(for message: InboundMessage) -> String {
        switch message.origin.conversation {
        case .room: message.origin.folded.description
        case .direct: "\(message.origin.network)/direct"
        }
    }

    /// Whether the command in `message` may run now; takes the tokens when it may.
    public func admit(_ message: InboundMessage) -> Decision {
        let at = now()
        let userKey = Self.userKey(for: message), roomKey = Self.roomKey(for: message)
        let isRoom = !message.isDirect
        return state.withLock { state in
            prune(&state, at: at)
            var user = state.users[userKey] ?? Entry(bucket: CommandBucket(limit: limits.perUser, now: at))
            var room = state.rooms[roomKey] ?? Entry(bucket: CommandBucket(limit: limits.perRoom, now: at))
            defer {
                state.users[userKey] = user
                state.rooms[roomKey] = room
            }
            let userOK = user.bucket.hasToken(at: at)
            let roomOK = room.bucket.hasToken(at: at)
            if userOK && roomOK {
                user.bucket.take(at: at)
                room.bucket.take(at: at)
                user.warned = false
                room.warned = false
                return .allowed
            }
            let notify = !user.warned && (roomOK || !room.warned)
            user.warned = true
            if !roomOK { room.warned = true }
            guard notify else { return .limited(notice: nil) }
            var wait = Duration.zero
            if !userOK { wait = max(wait, user.bucket.timeToNextToken(at: at)) }
            if !roomOK { wait = max(wait, room.bucket.timeToNextToken(at: at)) }
            let seconds = max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)))
            let reason = userOK
                ? (isRoom ? "this room is sending the bot too many commands" : "the bot is getting too many direct commands")
                : "too many commands (at most \(limits.perUser.burst) at once, then \(Self.rate(limits.perUser.perMinute)) a minute)"
            let prefix = isRoom ? "\(message.senderName): " : ""
            return .limited(notice: RichText([
                .plain(prefix), .tone(.warning, "slow down"),
                .plain(" — \(reason); try again in \(seconds) s. Further commands are ignored until then."),
            ]))
        }
    }

    private static func rate(_ perMinute: Double) -> String {
        perMinute == perMinute.rounded() ? "\(Int(perMinute))" : "\(perMinute)"
    }

    /// Drops full buckets once the tables grow (rotating nicks), at most once a second.
    private func prune(_ state: inout State, at now: ContinuousClock.Instant) {
        guard state.users.count > pruneAbove || state.rooms.count > pruneAbove else { return }
        if let last = state.lastPrune, now - last < .seconds(1) { return }
        state.lastPrune = now
        state.users = state.users.filter { var entry = $0.value; return !entry.bucket.isFull(at: now) }
        state.rooms = state.rooms.filter { var entry = $0.value; return !entry.bucket.isFull(at: now) }
    }

    /// Users and rooms currently tracked (for tests of the pruning).
    public var trackedCount: (users: Int, rooms: Int) {
        state.withLock { ($0.users.count, $0.rooms.count) }
    }
}
