/// Decides which rooms hear about an incident event, from the `routes:` of the configuration.
public struct Router: Sendable {
    public var rules: [RouteRule]

    public init(rules: [RouteRule]) {
        self.rules = rules
    }

    /// Each matching room once, in configuration order. `#ops` and `#OPS` are the same room, so a
    /// room named twice with different case still hears the event once (first spelling kept).
    public func destinations(for event: IncidentEvent) -> [ChatDestination] {
        var seen = Set<ChatDestination>()
        return rules.filter { $0.matches(event) }.map(\.destination).filter { seen.insert($0.folded).inserted }
    }
}
