import IRC
import TocsinCore

/// Which queued line goes first when the token bucket has room.
///
/// Protocol traffic (PONG, CAP, AUTHENTICATE, NICK, JOIN, WHO) keeps the connection alive and
/// registered, so it jumps ahead; then replies to people; then announcements by severity; CTCP
/// answers last, since anyone can ask for them.
public enum IRCOutgoingPriority: Sendable, Hashable, Comparable {
    case protocolMessage
    case delivery(DeliveryPriority)
    case ctcpReply

    private var rank: Int {
        switch self {
        case .protocolMessage: 0
        case .delivery(let priority): 1 + priority.rawValue
        case .ctcpReply: 100
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// What a queued line belongs to, so its write can be reported back.
public struct IRCQueuedLine: Sendable, Hashable {
    public var message: IRCMessage
    public var priority: IRCOutgoingPriority
    /// The delivery this line is part of, if any.
    public var delivery: DeliveryID?
    /// True for the last line of a delivery: its write (or echo) confirms the delivery.
    public var isLastOfDelivery: Bool

    public init(message: IRCMessage, priority: IRCOutgoingPriority, delivery: DeliveryID? = nil, isLastOfDelivery: Bool = false) {
        self.message = message
        self.priority = priority
        self.delivery = delivery
        self.isLastOfDelivery = isLastOfDelivery
    }
}

/// Identifies one `deliver(_:)` call for the lifetime of a connection.
public struct DeliveryID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "\(rawValue)" }
}

/// The per-connection outgoing queue: lines wait here until the ``TokenBucket`` allows them,
/// highest ``IRCOutgoingPriority`` first, first-in first-out within a priority.
///
/// Nothing bypasses it (QUIT at shutdown aside, which ends the connection anyway), so the bot can
/// never exceed its flood budget however much is queued.
public struct IRCOutgoingQueue: Sendable {
    private var bucket: TokenBucket
    private var lines: [(sequence: UInt64, line: IRCQueuedLine)] = []
    private var nextSequence: UInt64 = 0
    /// While true nothing leaves the queue (between `STARTTLS` and the TLS handshake).
    public var isHeld = false

    public init(flood: IRCClientConfiguration.FloodControl, now: ContinuousClock.Instant) {
        bucket = TokenBucket(capacity: flood.burst, interval: flood.interval, now: now)
    }

    public var isEmpty: Bool { lines.isEmpty }
    public var count: Int { lines.count }

    /// Queued lines of one priority (e.g. to cap CTCP answers).
    public func count(of priority: IRCOutgoingPriority) -> Int {
        lines.lazy.filter { $0.line.priority == priority }.count
    }

    public mutating func enqueue(_ line: IRCQueuedLine) {
        lines.append((nextSequence, line))
        nextSequence += 1
    }

    /// Removes every line of a delivery that has not been sent yet (e.g. it failed).
    public mutating func remove(delivery: DeliveryID) {
        lines.removeAll { $0.line.delivery == delivery }
    }

    /// The lines that may be written at `now`, in order, each having taken a token.
    public mutating func dequeueReady(at now: ContinuousClock.Instant) -> [IRCQueuedLine] {
        guard !isHeld else { return [] }
        var ready: [IRCQueuedLine] = []
        while !lines.isEmpty {
            guard bucket.take(at: now) else { break }
            var best = 0
            for index in lines.indices.dropFirst() where lines[index].line.priority < lines[best].line.priority {
                best = index
            }
            ready.append(lines.remove(at: best).line)
        }
        return ready
    }

    /// When the next queued line can go out, or nil if none is queued (or the queue is held).
    public mutating func nextRelease(after now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard !lines.isEmpty, !isHeld else { return nil }
        return bucket.nextToken(after: now)
    }
}
