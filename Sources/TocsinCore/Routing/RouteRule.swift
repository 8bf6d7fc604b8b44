/// Where a route comes from: the configuration file (read-only from chat) or a `!subscribe` typed
/// in the room (stored in the database, removable with `!unsubscribe`).
public enum RouteSource: Sendable, Hashable {
    case configuration
    /// Added from chat; `addedBy` names who typed `!subscribe` (their chat name), when known.
    case chat(addedBy: String?)

    public var isConfiguration: Bool { self == .configuration }
}

/// One subscription: a room and the incident events it wants.
///
/// Every filter left nil matches everything, so `to: #ops` alone subscribes to all events.
public struct RouteRule: Sendable, Hashable {
    public var destination: ChatDestination
    public var services: Set<String>?
    public var teams: Set<String>?
    public var urgencies: Set<Urgency>?
    /// Events of incidents at least this severe; incidents without a severity always pass.
    public var minimumSeverity: Severity?
    public var kinds: Set<IncidentEventKind>?
    /// Configuration or chat; not part of what the rule matches (see ``hasSameFilter(as:)``).
    public var source: RouteSource

    public init(
        destination: ChatDestination, services: Set<String>? = nil, teams: Set<String>? = nil,
        urgencies: Set<Urgency>? = nil, minimumSeverity: Severity? = nil, kinds: Set<IncidentEventKind>? = nil,
        source: RouteSource = .configuration
    ) {
        self.destination = destination
        self.services = services
        self.teams = teams
        self.urgencies = urgencies
        self.minimumSeverity = minimumSeverity
        self.kinds = kinds
        self.source = source
    }

    public func matches(_ event: IncidentEvent) -> Bool {
        let incident = event.incident
        if let kinds, !kinds.contains(event.kind) { return false }
        if let services, !services.contains(where: { $0.lowercased() == incident.service.lowercased() }) { return false }
        if let teams {
            guard let team = incident.team, teams.contains(where: { $0.lowercased() == team.lowercased() }) else { return false }
        }
        if let urgencies, !urgencies.contains(incident.urgency) { return false }
        if let minimumSeverity, let severity = incident.severity, severity < minimumSeverity { return false }
        return true
    }

    /// Same room (case-folded) and the same filters (names case-folded), whatever the source: a
    /// `!subscribe` that would add this rule again is a duplicate.
    public func hasSameFilter(as other: RouteRule) -> Bool {
        func folded(_ names: Set<String>?) -> Set<String>? { names.map { Set($0.map { $0.lowercased() }) } }
        return destination.folded == other.destination.folded
            && folded(services) == folded(other.services) && folded(teams) == folded(other.teams)
            && urgencies == other.urgencies && minimumSeverity == other.minimumSeverity && kinds == other.kinds
    }
}
