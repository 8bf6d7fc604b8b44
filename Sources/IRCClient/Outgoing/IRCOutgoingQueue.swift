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
/// One FIFO lane per priority (eight lanes): enqueue and dequeue are O(1) — the next line is the
/// head of the first non-empty lane — instead of a scan of every queued line per line sent.
/// Removing a failed delivery's unsent lines is O(lines of its lane), on the failure path only.
///
/// Nothing bypasses it (QUIT at shutdown aside, which ends the connection anyway), so the bot can
/// never exceed its flood budget however much is queued.
///
/// Caps and overflow policy:
/// - Delivery lines (replies and announcements): at most ``deliveryCapacity`` queued. A
///   delivery whose lines do not fit is refused whole before any of its lines is queued
///   (``canAccept(deliveryLines:)``); the caller fails it and the outbox retries it later, so
///   nothing is lost and no delivery goes out half.
/// - Protocol lines (PONG, JOIN, WHO…): at most ``protocolCapacity``; beyond that a new line is
///   dropped and counted in ``droppedProtocolLines`` — only a server sending far faster than our
///   flood budget allows (a PING flood) gets there, and it will drop us anyway.
/// - CTCP answers: at most ``protocolCapacity`` here, and the state machine keeps it to a few.
public struct IRCOutgoingQueue: Sendable {
    /// Most delivery lines queued at once.
    public var deliveryCapacity = 1024
    /// Most protocol (and CTCP) lines queued at once per lane.
    public var protocolCapacity = 512
    /// Protocol lines dropped because their lane was full.
    public private(set) var droppedProtocolLines = 0

    private var bucket: TokenBucket
    private var lanes = [LineFIFO](repeating: LineFIFO(), count: IRCOutgoingPriority.laneCount)
    private var total = 0
    private var deliveryLines = 0
    /// While true nothing leaves the queue (between `STARTTLS` and the TLS handshake).
    public var isHeld = false

    /// New flood settings for the lines not sent yet (a configuration reload).
    public mutating func setFlood(_ flood: IRCClientConfiguration.FloodControl, now: ContinuousClock.Instant) {
        bucket = bucket.resized(capacity: flood.burst, interval: flood.interval, now: now)
    }

    public init(flood: IRCClientConfiguration.FloodControl, now: ContinuousClock.Instant) {
        bucket = TokenBucket(capacity: flood.burst, interval: flood.interval, now: now)
    }

    public var isEmpty: Bool { total == 0 }
    public var count: Int { total }

    /// Queued lines of one priority (e.g. to cap CTCP answers). O(1).
    public func count(of priority: IRCOutgoingPriority) -> Int {
        lanes[priority.lane].count
    }

    /// Whether a delivery of `lines` lines fits under ``deliveryCapacity``.
    public func canAccept(deliveryLines lines: Int) -> Bool {
        deliveryLines + lines <= deliveryCapacity
    }

    /// Queues a line. Returns false when its lane is full and the line was dropped (see the
    /// overflow policy above; delivery lines should be checked with ``canAccept(deliveryLines:)``
    /// first so a delivery is refused whole).
    @discardableResult
    public mutating func enqueue(_ line: IRCQueuedLine) -> Bool {
        let lane = line.priority.lane
        if case .delivery = line.priority {
            guard deliveryLines < deliveryCapacity else { return false }
            deliveryLines += 1
        } else if lanes[lane].count >= protocolCapacity {
            droppedProtocolLines += 1
            return false
        }
        lanes[lane].append(line)
        total += 1
        return true
    }

    /// Removes every line of a delivery that has not been sent yet (e.g. it failed).
    public mutating func remove(delivery: DeliveryID) {
        for lane in lanes.indices {
            let removed = lanes[lane].removeAll { $0.delivery == delivery }
            total -= removed
            if IRCOutgoingPriority.isDeliveryLane(lane) { deliveryLines -= removed }
        }
    }

    /// The lines that may be written at `now`, in order, each having taken a token.
    public mutating func dequeueReady(at now: ContinuousClock.Instant) -> [IRCQueuedLine] {
        guard !isHeld, total > 0 else { return [] }
        var ready: [IRCQueuedLine] = []
        var lane = 0
        while total > 0 {
            while lanes[lane].isEmpty { lane += 1 }
            guard bucket.take(at: now) else { break }
            let line = lanes[lane].popFirst()!
            total -= 1
            if IRCOutgoingPriority.isDeliveryLane(lane) { deliveryLines -= 1 }
            ready.append(line)
        }
        return ready
    }

    /// When the next queued line can go out, or nil if none is queued (or the queue is held):
    /// the connection's flood-release deadline.
    public mutating func nextRelease(after now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard total > 0, !isHeld else { return nil }
        return bucket.nextToken(after: now)
    }
}

extension IRCOutgoingPriority {
    /// Protocol, the six delivery priorities in order, CTCP.
    static let laneCount = 2 + deliveryOrder.count
    private static let deliveryOrder = DeliveryPriority.allCases.sorted()

    /// The lane of this priority: lower lanes go first.
    var lane: Int {
        switch self {
        case .protocolMessage: 0
        case .delivery(let priority): 1 + (Self.deliveryOrder.firstIndex(of: priority) ?? 0)
        case .ctcpReply: Self.laneCount - 1
        }
    }

    static func isDeliveryLane(_ lane: Int) -> Bool { lane > 0 && lane < laneCount - 1 }
}

/// A first-in first-out list with O(1) append and pop (a head index into an array, compacted
/// when the consumed prefix dominates).
struct LineFIFO: Sendable {
    private var storage: [IRCQueuedLine] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }

    mutating func append(_ line: IRCQueuedLine) {
        storage.append(line)
    }

    mutating func popFirst() -> IRCQueuedLine? {
        guard head < storage.count else { return nil }
        let line = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= 64)
            head = 0
        } else if head >= 64 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return line
    }

    /// Removes the matching lines; returns how many.
    mutating func removeAll(where shouldRemove: (IRCQueuedLine) -> Bool) -> Int {
        let before = count
        storage.removeFirst(head)
        head = 0
        storage.removeAll(where: shouldRemove)
        return before - storage.count
    }
}
