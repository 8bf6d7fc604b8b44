import Foundation

/// Order of delivery when a connection has a backlog. Lower raw value goes first; the raw value is
/// what the durable outbox stores and sorts on (`ORDER BY priority, id`), and the IRC send queue
/// orders its lines the same way.
///
/// The policy: what nobody may miss goes first, what anyone can cause goes last.
/// 1. ``critical``, then ``high`` announcements: an incident the on-call engineer does not hear about
///    is the worst outcome, so no reply ever delays one.
/// 2. ``writeReply``: the answer to a write command that was allowed (`!ack`, `!resolve`…) — a verified,
///    mapped person is waiting for that acknowledgement.
/// 3. ``normal`` announcements.
/// 4. ``readReply``, then ``low`` announcements: replies to read commands (`!incidents`, `!help`),
///    refusals, usage hints and "slow down" notices. Anyone, even a nick without an account, can
///    cause these, so they wait behind everything else (issue 10: twelve `!incidents` once delayed
///    a critical announcement by 74 s).
///
/// Within one priority, oldest first. The raw values leave gaps so a level can be added without
/// rewriting stored rows; `outbox_v2_delivery_tiers` moved rows stored under the old numbering.
public enum DeliveryPriority: Int, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case critical = 10
    case high = 20
    case writeReply = 30
    case normal = 40
    case readReply = 50
    case low = 60

    public static func < (lhs: DeliveryPriority, rhs: DeliveryPriority) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The priorities an announcement may never be delayed by a reply or dropped for: critical and high.
    public static let urgent: ClosedRange<DeliveryPriority> = .critical ... .high
    /// Everything else, delivered by its own lane so it never holds an urgent announcement back.
    public static let regular: ClosedRange<DeliveryPriority> = .writeReply ... .low
    /// Every priority.
    public static let all: ClosedRange<DeliveryPriority> = .critical ... .low
    /// What the per-room bound may fold into a summary line when a room's backlog is too long:
    /// normal and low announcements and replies to read commands; never critical/high announcements
    /// nor a write command's acknowledgement.
    public static let foldable: ClosedRange<DeliveryPriority> = .normal ... .low

    /// A reply to a person (IRC may send those as NOTICE), as opposed to an announcement.
    public var isReply: Bool { self == .writeReply || self == .readReply }

    public static func announcement(for incident: Incident) -> DeliveryPriority {
        switch incident.severity {
        case .critical: .critical
        case .error: .high
        case .warning: .normal
        case .info: .low
        case nil: incident.urgency == .high ? .high : .normal
        }
    }
}

/// Something to say in a conversation, before it has been stored.
public struct OutboxMessage: Sendable, Hashable, Codable {
    public var destination: ChatDestination
    public var text: RichText
    public var priority: DeliveryPriority
    /// Protocol message id this answers (threaded replies).
    public var inReplyTo: String?
    /// Identifies the cause (an incident event id); a message with the same key and destination is
    /// stored only once, so an event received twice is announced once.
    public var dedupKey: String?

    public init(
        destination: ChatDestination, text: RichText, priority: DeliveryPriority,
        inReplyTo: String? = nil, dedupKey: String? = nil
    ) {
        self.destination = destination
        self.text = text
        self.priority = priority
        self.inReplyTo = inReplyTo
        self.dedupKey = dedupKey
    }
}

/// A stored outbox message waiting for (or past) delivery.
public struct OutboxItem: Sendable, Hashable {
    public var id: Int64
    public var message: OutboxMessage
    public var createdAt: Date
    public var attempts: Int

    public init(id: Int64, message: OutboxMessage, createdAt: Date, attempts: Int = 0) {
        self.id = id
        self.message = message
        self.createdAt = createdAt
        self.attempts = attempts
    }
}
