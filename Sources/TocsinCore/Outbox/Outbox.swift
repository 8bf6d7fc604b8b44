import Foundation

/// Where every announcement and reply is stored before it is sent, and marked delivered only when
/// the transport has confirmation. The durable implementation lives on SQLite; ``InMemoryOutbox``
/// serves tests and setups that accept losing messages on a crash.
public protocol Outbox: Sendable {
    /// Stores messages; those whose `(dedupKey, destination)` was stored before are skipped.
    /// Returns what was newly stored.
    func enqueue(_ messages: [OutboxMessage]) async throws -> [OutboxItem]
    /// Undelivered items for one network, highest priority first, then oldest first.
    func pending(network: String, limit: Int) async throws -> [OutboxItem]
    func markDelivered(_ id: Int64) async throws
    /// Counts a failed attempt, for logs and metrics.
    func recordFailedAttempt(_ id: Int64) async throws
    /// Number of undelivered items, per network (for `/healthz` and metrics).
    func backlog() async throws -> [String: Int]
}

/// A volatile ``Outbox``: same semantics, nothing survives the process.
public actor InMemoryOutbox: Outbox {
    private var items: [Int64: OutboxItem] = [:]
    private var delivered: Set<Int64> = []
    private var seenKeys: Set<String> = []
    private var nextID: Int64 = 1

    public init() {}

    public func enqueue(_ messages: [OutboxMessage]) -> [OutboxItem] {
        var stored: [OutboxItem] = []
        for message in messages {
            if let key = message.dedupKey, !seenKeys.insert("\(key)\u{0}\(message.destination)").inserted { continue }
            let item = OutboxItem(id: nextID, message: message, createdAt: Date())
            nextID += 1
            items[item.id] = item
            stored.append(item)
        }
        return stored
    }

    public func pending(network: String, limit: Int) -> [OutboxItem] {
        items.values
            .filter { $0.message.destination.network == network && !delivered.contains($0.id) }
            .sorted { ($0.message.priority, $0.id) < ($1.message.priority, $1.id) }
            .prefix(limit).map { $0 }
    }

    public func markDelivered(_ id: Int64) {
        delivered.insert(id)
        items[id] = nil
    }

    public func recordFailedAttempt(_ id: Int64) {
        items[id]?.attempts += 1
    }

    public func backlog() -> [String: Int] {
        Dictionary(grouping: items.values, by: \.message.destination.network).mapValues(\.count)
    }
}
