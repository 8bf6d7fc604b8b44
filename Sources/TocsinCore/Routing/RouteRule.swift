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

    public init(
        destination: ChatDestination, services: Set<String>? = nil, teams: Set<String>? = nil,
        urgencies: Set<Urgency>? = nil, minimumSeverity: Severity? = nil, kinds: Set<IncidentEventKind>? = nil
    ) {
        self.destination = destination
        self.services = services
        self.teams = teams
        self.urgencies = urgencies
        self.minimumSeverity = minimumSeverity
        self.kinds = kinds
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
}
