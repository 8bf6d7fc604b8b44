import Foundation

/// Order of delivery when a connection has a backlog: replies to people first, then announcements
/// by severity. Lower raw value goes first.
public enum DeliveryPriority: Int, Sendable, Hashable, Codable, Comparable {
    case reply = 0
    case critical = 1
    case high = 2
    case normal = 3
    case low = 4

    public static func < (lhs: DeliveryPriority, rhs: DeliveryPriority) -> Bool { lhs.rawValue < rhs.rawValue }

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
