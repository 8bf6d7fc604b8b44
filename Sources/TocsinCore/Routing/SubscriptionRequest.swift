/// What `!subscribe` and `!unsubscribe` say: `SERVICE|team:TEAM|all [high|low] [events…]`, the
/// shape of "connect this channel" in PagerDuty's Slack app (a service or a team, optionally only
/// high- or low-urgency incidents, optionally only some events).
public struct SubscriptionRequest: Sendable, Hashable {
    public enum Scope: Sendable, Hashable {
        case all
        case service(String)
        case team(String)
    }

    public var scope: Scope
    public var urgency: Urgency?
    /// nil: every event.
    public var kinds: Set<IncidentEventKind>?

    public init(scope: Scope, urgency: Urgency? = nil, kinds: Set<IncidentEventKind>? = nil) {
        self.scope = scope
        self.urgency = urgency
        self.kinds = kinds
    }

    /// The grammar shown in usage lines.
    public static let grammar = "SERVICE|team:TEAM|all [high|low] [events…]"

    /// Parses the words after the command; nil when they do not fit the grammar (an unknown event
    /// name, a second urgency, an empty team…), so the caller answers with the usage line.
    public init?(words: [String]) {
        guard let first = words.first, first.count <= 100 else { return nil }
        let lower = first.lowercased()
        if lower == "all" || lower == "*" {
            scope = .all
        } else if lower.hasPrefix("team:") {
            let team = first.dropFirst("team:".count)
            guard !team.isEmpty else { return nil }
            scope = .team(String(team))
        } else {
            guard !first.contains(":") else { return nil }
            scope = .service(first)
        }
        var urgency: Urgency?
        var kinds: Set<IncidentEventKind> = []
        for word in words.dropFirst() {
            let lower = word.lowercased()
            if let level = Urgency(rawValue: lower) {
                guard urgency == nil, kinds.isEmpty else { return nil }
                urgency = level
            } else if let kind = IncidentEventKind(eventType: lower) {
                kinds.insert(kind)
            } else {
                return nil
            }
        }
        self.urgency = urgency
        self.kinds = kinds.isEmpty ? nil : kinds
    }

    /// The rule this request adds to (or removes from) `destination`.
    public func rule(for destination: ChatDestination, source: RouteSource) -> RouteRule {
        var rule = RouteRule(destination: destination, urgencies: urgency.map { [$0] }, kinds: kinds, source: source)
        switch scope {
        case .all: break
        case .service(let name): rule.services = [name]
        case .team(let name): rule.teams = [name]
        }
        return rule
    }
}

extension RouteRule {
    /// The rule in the words `!subscribe` takes (`api high triggered resolved`, `team:storage`,
    /// `all`), with what only a configuration route can say (several services, a minimum severity).
    public var filterDescription: String {
        var words: [String] = []
        let services = (self.services ?? []).sorted()
        let teams = (self.teams ?? []).sorted().map { "team:\($0)" }
        let scope = services + teams
        words.append(scope.isEmpty ? "all" : scope.joined(separator: ","))
        if let urgencies, urgencies.count == 1, let only = urgencies.first { words.append(only.rawValue) }
        if let minimumSeverity { words.append("severity≥\(minimumSeverity.rawValue)") }
        if let kinds {
            words += IncidentEventKind.allCases.filter(kinds.contains).map(\.rawValue)
        }
        return words.joined(separator: " ")
    }
}
