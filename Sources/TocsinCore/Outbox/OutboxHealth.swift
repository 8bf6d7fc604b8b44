/// Reports the outbox backlog in `/healthz`: a growing backlog means a network is not taking
/// messages, which an on-call engineer wants to see before someone asks why the channel is quiet.
public struct OutboxHealth: HealthSource {
    public var outbox: any Outbox
    public var degradedAbove: Int

    public init(outbox: any Outbox, degradedAbove: Int = 500) {
        self.outbox = outbox
        self.degradedAbove = degradedAbove
    }

    public func health() async -> [ComponentHealth] {
        do {
            let backlog = try await outbox.backlog()
            let total = backlog.values.reduce(0, +)
            let detail = backlog.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            return [ComponentHealth(component: "outbox", status: total > degradedAbove ? .degraded : .ok,
                                    detail: total == 0 ? "empty" : "undelivered — \(detail)")]
        } catch {
            return [ComponentHealth(component: "outbox", status: .down, detail: "cannot read the outbox: \(error)")]
        }
    }
}
