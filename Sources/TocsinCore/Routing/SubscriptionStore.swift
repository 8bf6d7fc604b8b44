/// Where subscriptions made from chat are kept, so they survive a restart (the gateway's
/// database: `TocsinStorage.SubscriptionTable`, adapted in the assembly).
public protocol SubscriptionStore: Sendable {
    func loadSubscriptions() async throws -> [RouteRule]
    func saveSubscription(_ rule: RouteRule) async throws
    /// Removes the stored subscription with `rule`'s ``RouteRule/filterKey``.
    func deleteSubscription(_ rule: RouteRule) async throws
}

extension RouteRule {
    /// One text per room and filter, names case-folded and sorted: two rules with the same key
    /// are the same subscription (the database's unique key).
    public var filterKey: String {
        func list<T>(_ values: Set<T>?, _ text: (T) -> String) -> String {
            values.map { $0.map(text).map { $0.lowercased() }.sorted().joined(separator: ",") } ?? "*"
        }
        let folded = destination.folded
        return [folded.network, "\(folded.conversation)", list(services) { $0 }, list(teams) { $0 },
                list(urgencies) { $0.rawValue }, minimumSeverity?.rawValue ?? "*", list(kinds) { $0.rawValue }]
            .joined(separator: "\u{1F}")
    }
}
