import Foundation

/// The outbox's backlog as `/readyz` and `/metrics` show it.
public struct OutboxBacklog: Sendable, Hashable {
    /// Undelivered messages per network; networks with nothing waiting are absent.
    public var waiting: [String: Int]
    /// When the oldest undelivered message was stored, nil when nothing waits.
    public var oldest: Date?

    public init(waiting: [String: Int], oldest: Date?) {
        self.waiting = waiting
        self.oldest = oldest
    }

    public var depth: Int { waiting.values.reduce(0, +) }
}

/// An outbox that can report its backlog in one read (count per network and the oldest message).
public protocol OutboxBacklogReporting: Sendable {
    func backlogSnapshot() async throws -> OutboxBacklog
}

/// The `outbox` component of `/readyz`: depth and oldest age. A growing backlog means a network is
/// not taking messages, which an on-call engineer wants to see before someone asks why the channel
/// is quiet; an unreadable outbox means nothing can be stored or delivered (the gateway is down).
public struct OutboxReadiness: HealthSource {
    public var outbox: any OutboxBacklogReporting
    /// Degraded above this many undelivered messages.
    public var degradedAbove: Int
    public var now: @Sendable () -> Date

    public init(outbox: any OutboxBacklogReporting, degradedAbove: Int = 500, now: @escaping @Sendable () -> Date = Date.init) {
        self.outbox = outbox
        self.degradedAbove = degradedAbove
        self.now = now
    }

    public func health() async -> [ComponentHealth] {
        do {
            let backlog = try await outbox.backlogSnapshot()
            let depth = backlog.depth
            let age = backlog.oldest.map { max(0, now().timeIntervalSince($0)) }
            var detail = "empty"
            if depth > 0 {
                let perNetwork = backlog.waiting.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                detail = "\(depth) undelivered (\(perNetwork))"
                if let age { detail += ", oldest \(Int(age)) s" }
            }
            return [ComponentHealth(component: "outbox", status: depth > degradedAbove ? .degraded : .ok, detail: detail,
                                    kind: .outbox, depth: depth, oldestAgeSeconds: age)]
        } catch {
            return [ComponentHealth(component: "outbox", status: .down,
                                    detail: "cannot read the outbox (check that gateway.database is on a writable, not full disk): \(error)",
                                    kind: .outbox)]
        }
    }
}
