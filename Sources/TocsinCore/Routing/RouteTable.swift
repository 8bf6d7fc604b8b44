import Synchronization

/// The routes in force, changeable while the gateway runs: the configuration's routes (fixed) and
/// the subscriptions made from chat (`!subscribe`, `!unsubscribe`), which take effect at once.
///
/// A reference type behind a `Mutex`, so every copy of a ``Router`` — the gateway's, the command
/// handler's, the one the embedded store words announcements with inside its write transaction —
/// sees a change the moment it is made, from any thread, without an actor hop on the event path.
public final class RouteTable: Sendable {
    /// The configuration's routes, in file order; never changed from chat, replaced by a reload.
    public var configured: [RouteRule] { configuredRules.withLock { $0 } }
    private let configuredRules: Mutex<[RouteRule]>
    private let subscriptions: Mutex<[RouteRule]>

    public init(configured: [RouteRule], subscriptions: [RouteRule] = []) {
        self.configuredRules = Mutex(Self.fromConfiguration(configured))
        self.subscriptions = Mutex(subscriptions)
    }

    /// Replaces the configuration's routes (a reload, SIGHUP); chat subscriptions stay.
    public func replaceConfigured(_ rules: [RouteRule]) {
        let marked = Self.fromConfiguration(rules)
        configuredRules.withLock { $0 = marked }
    }

    private static func fromConfiguration(_ rules: [RouteRule]) -> [RouteRule] {
        rules.map { var rule = $0; rule.source = .configuration; return rule }
    }

    /// Configuration routes first, then chat subscriptions in the order they were made.
    public var rules: [RouteRule] { configured + subscriptions.withLock { $0 } }

    /// The chat subscriptions only.
    public var chatSubscriptions: [RouteRule] { subscriptions.withLock { $0 } }

    /// What happened to a `!subscribe`.
    public enum AddResult: Sendable, Hashable {
        case added
        /// The room already has a rule with the same filter (from the configuration or from chat).
        case duplicate(RouteRule)
    }

    /// What happened to an `!unsubscribe`.
    public enum RemoveResult: Sendable, Hashable {
        case removed(RouteRule)
        /// Only a configuration route has this filter: read-only from chat.
        case configured(RouteRule)
        case notFound
    }

    /// Adds a chat subscription unless the room already has the same filter.
    public func add(_ rule: RouteRule) -> AddResult {
        if let existing = configured.first(where: { $0.hasSameFilter(as: rule) }) { return .duplicate(existing) }
        return subscriptions.withLock { list in
            if let existing = list.first(where: { $0.hasSameFilter(as: rule) }) { return .duplicate(existing) }
            list.append(rule)
            return .added
        }
    }

    /// Removes the chat subscription with the same filter as `rule`.
    public func remove(_ rule: RouteRule) -> RemoveResult {
        let removed = subscriptions.withLock { list -> RouteRule? in
            guard let index = list.firstIndex(where: { $0.hasSameFilter(as: rule) }) else { return nil }
            return list.remove(at: index)
        }
        if let removed { return .removed(removed) }
        if let configuredRule = configured.first(where: { $0.hasSameFilter(as: rule) }) { return .configured(configuredRule) }
        return .notFound
    }

    /// Replaces every chat subscription (loading them from the database at start).
    public func replaceSubscriptions(_ rules: [RouteRule]) {
        subscriptions.withLock { $0 = rules }
    }
}
