import TocsinCore
import TocsinStorage

/// The chat-subscriptions table is the core's ``SubscriptionStore`` (same shapes; the storage
/// target does not depend on the core). Rows whose names no longer parse (an event kind a newer
/// release wrote) keep the filters that do.
extension SubscriptionTable: SubscriptionStore {
    public func loadSubscriptions() async throws -> [RouteRule] {
        try await all().map { row in
            RouteRule(
                destination: .room(row.room, on: row.network),
                services: row.services.map(Set.init),
                teams: row.teams.map(Set.init),
                urgencies: row.urgencies.map { Set($0.compactMap(Urgency.init(rawValue:))) },
                minimumSeverity: row.minimumSeverity.flatMap(Severity.init(rawValue:)),
                kinds: row.kinds.map { Set($0.compactMap(IncidentEventKind.init(rawValue:))) },
                source: .chat(addedBy: row.addedBy))
        }
    }

    public func saveSubscription(_ rule: RouteRule) async throws {
        guard case .room(let room) = rule.destination.conversation else { return }
        var addedBy: String?
        if case .chat(let name) = rule.source { addedBy = name }
        try await insert(Row(
            key: rule.filterKey, network: rule.destination.network, room: room,
            services: rule.services.map { $0.sorted() }, teams: rule.teams.map { $0.sorted() },
            urgencies: rule.urgencies.map { $0.map(\.rawValue).sorted() }, minimumSeverity: rule.minimumSeverity?.rawValue,
            kinds: rule.kinds.map { $0.map(\.rawValue).sorted() }, addedBy: addedBy))
    }

    public func deleteSubscription(_ rule: RouteRule) async throws {
        try await delete(key: rule.filterKey)
    }
}
