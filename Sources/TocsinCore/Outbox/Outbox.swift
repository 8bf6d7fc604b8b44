import Foundation

/// Where every announcement and reply is stored before it is sent, and marked delivered only when
/// the transport has confirmation. The durable implementation lives on SQLite; ``InMemoryOutbox``
/// serves tests and setups that accept losing messages on a crash.
///
/// Both implementations order by ``DeliveryPriority`` (see its policy), then oldest first, and keep
/// each conversation's backlog within an ``OutboxBound``.
public protocol Outbox: Sendable {
    /// Stores messages; those whose `(dedupKey, destination)` was stored before are skipped. A
    /// conversation whose backlog goes past the bound has its oldest foldable messages summarised.
    /// Returns what was newly stored (summary lines included).
    func enqueue(_ messages: [OutboxMessage]) async throws -> [OutboxItem]
    /// Undelivered items for one network whose priority is in `priorities`, highest priority
    /// first, then oldest first.
    func pending(network: String, priorities: ClosedRange<DeliveryPriority>, limit: Int) async throws -> [OutboxItem]
    /// Keyset paging: undelivered items after `cursor` in `(priority, id)` order, without the
    /// conversations in `blocked` (rooms the transport cannot deliver to right now).
    func pending(network: String, priorities: ClosedRange<DeliveryPriority>, after cursor: OutboxCursor?,
                 skipping blocked: Set<ChatDestination>, limit: Int) async throws -> [OutboxItem]
    func markDelivered(_ id: Int64) async throws
    /// Marks several items delivered at once (one write for a page of deliveries).
    func markDelivered(_ ids: [Int64]) async throws
    /// Counts a failed attempt, for logs and metrics.
    func recordFailedAttempt(_ id: Int64) async throws
    /// Number of undelivered items, per network (for `/healthz` and metrics).
    func backlog() async throws -> [String: Int]
}

/// A position in an outbox's delivery order: after the item with this priority and id.
public struct OutboxCursor: Sendable, Hashable {
    public var priority: DeliveryPriority
    public var id: Int64

    public init(priority: DeliveryPriority, id: Int64) {
        self.priority = priority
        self.id = id
    }

    public init(after item: OutboxItem) {
        self.init(priority: item.message.priority, id: item.id)
    }

    /// Whether `item` comes after this position.
    public func precedes(_ item: OutboxItem) -> Bool {
        (priority, id) < (item.message.priority, item.id)
    }
}

extension Outbox {
    /// Filters the plain page; implementations do it in their query.
    public func pending(network: String, priorities: ClosedRange<DeliveryPriority>, after cursor: OutboxCursor?,
                        skipping blocked: Set<ChatDestination>, limit: Int) async throws -> [OutboxItem] {
        let all = try await pending(network: network, priorities: priorities, limit: Int(Int32.max))
        return Array(all.lazy.filter { !blocked.contains($0.message.destination) && (cursor?.precedes($0) ?? true) }.prefix(limit))
    }

    public func markDelivered(_ ids: [Int64]) async throws {
        for id in ids { try await markDelivered(id) }
    }
}

/// A volatile ``Outbox``: same semantics, nothing survives the process.
public actor InMemoryOutbox: Outbox {
    private var items: [Int64: OutboxItem] = [:]
    private var seenKeys: Set<String> = []
    private var nextID: Int64 = 1
    private let bound: OutboxBound
    /// The waiting summary line of each conversation, and how many messages it stands for.
    private var summaries: [ChatDestination: (id: Int64, folded: Int)] = [:]

    public init(bound: OutboxBound = OutboxBound()) {
        self.bound = bound
    }

    public func enqueue(_ messages: [OutboxMessage]) -> [OutboxItem] {
        var stored: [OutboxItem] = []
        for message in messages {
            if let key = message.dedupKey, !seenKeys.insert("\(key)\u{0}\(message.destination)").inserted { continue }
            stored.append(insert(message))
        }
        for destination in Set(stored.map(\.message.destination)) {
            if let summary = fold(destination) { stored.append(summary) }
        }
        return stored
    }

    private func insert(_ message: OutboxMessage) -> OutboxItem {
        let item = OutboxItem(id: nextID, message: message, createdAt: Date())
        nextID += 1
        items[item.id] = item
        return item
    }

    /// Applies the ``OutboxBound`` to one conversation; returns a newly stored summary line.
    private func fold(_ destination: ChatDestination) -> OutboxItem? {
        let waiting = items.values.filter { $0.message.destination == destination }
        guard waiting.count > bound.maximumPending else { return nil }
        var existing = summaries[destination].flatMap { summary in items[summary.id].map { _ in summary } }
        let excess = waiting.count - bound.maximumPending + (existing == nil ? 1 : 0)
        let victims = waiting
            .filter { DeliveryPriority.foldable.contains($0.message.priority) && !bound.isSummary($0.message) }
            .sorted { ($1.message.priority, $0.id) < ($0.message.priority, $1.id) }
            .prefix(excess)
        // Folding one line into a new summary line would gain nothing.
        guard existing != nil || victims.count > 1 else { return nil }
        for victim in victims { items[victim.id] = nil }
        var created: OutboxItem?
        if existing == nil {
            let item = insert(OutboxMessage(destination: destination, text: bound.summaryText(folded: 0),
                                            priority: OutboxBound.summaryPriority,
                                            dedupKey: "\(OutboxBound.summaryKeyPrefix)\(victims.first?.id ?? 0)"))
            existing = (item.id, 0)
            created = item
        }
        guard var summary = existing else { return nil }
        summary.folded += victims.count
        summaries[destination] = summary
        items[summary.id]?.message.text = bound.summaryText(folded: summary.folded)
        return created.flatMap { items[$0.id] }
    }

    public func pending(network: String, priorities: ClosedRange<DeliveryPriority>, limit: Int) -> [OutboxItem] {
        items.values
            .filter { $0.message.destination.network == network && priorities.contains($0.message.priority) }
            .sorted { ($0.message.priority, $0.id) < ($1.message.priority, $1.id) }
            .prefix(limit).map { $0 }
    }

    public func pending(network: String, priorities: ClosedRange<DeliveryPriority>, after cursor: OutboxCursor?,
                        skipping blocked: Set<ChatDestination>, limit: Int) -> [OutboxItem] {
        items.values
            .filter {
                $0.message.destination.network == network && priorities.contains($0.message.priority)
                    && !blocked.contains($0.message.destination) && (cursor?.precedes($0) ?? true)
            }
            .sorted { ($0.message.priority, $0.id) < ($1.message.priority, $1.id) }
            .prefix(limit).map { $0 }
    }

    public func markDelivered(_ ids: [Int64]) {
        for id in ids { items[id] = nil }
    }

    /// Undelivered items for one network, every priority, in delivery order.
    public func pending(network: String, limit: Int) -> [OutboxItem] {
        pending(network: network, priorities: DeliveryPriority.all, limit: limit)
    }

    public func markDelivered(_ id: Int64) {
        items[id] = nil
    }

    public func recordFailedAttempt(_ id: Int64) {
        items[id]?.attempts += 1
    }

    public func backlog() -> [String: Int] {
        Dictionary(grouping: items.values, by: \.message.destination.network).mapValues(\.count)
    }
}
