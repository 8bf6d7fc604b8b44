/// How one part of the gateway is doing, for `/readyz` and the `/metrics` gauges.
///
/// The structured fields (``connected``, ``roomsJoined``…) are what readiness rules and gauges read;
/// ``detail`` is the sentence for a person. A source fills in the fields that apply to it and
/// leaves the others nil.
public struct ComponentHealth: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case ok
        /// Working with reduced service (reconnecting, circuit open, backlog growing).
        case degraded
        case down
    }

    /// What a component is, for the readiness rules: one chat network down of several leaves the
    /// gateway degraded, every network down leaves nothing to announce in.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// One configured IRC or XMPP network (component `irc:NAME` / `xmpp:NAME`).
        case network
        /// The durable outbox (component `outbox`).
        case outbox
        /// The incident backend: PagerDuty's REST API or the embedded store.
        case incidentAPI = "incident_api"
        case other
    }

    /// The incident API client's circuit breaker (PagerDuty: closed → open after repeated failures
    /// → half-open while one probe is out).
    public enum Circuit: String, Sendable, Hashable, Codable {
        case closed
        case halfOpen = "half_open"
        case open
    }

    public var component: String
    public var status: Status
    public var detail: String?
    /// Nil means "infer from the component name" (see ``resolvedKind``).
    public var kind: Kind?
    /// Networks: a session is established (registered / stream bound).
    public var connected: Bool?
    /// Networks: rooms currently joined, of ``roomsConfigured`` (configured plus accepted invitations).
    public var roomsJoined: Int?
    public var roomsConfigured: Int?
    /// Outbox: messages not yet delivered.
    public var depth: Int?
    /// Outbox: age in seconds of the oldest undelivered message (nil when empty).
    public var oldestAgeSeconds: Double?
    /// Incident API: circuit breaker state, when the backend has one.
    public var circuit: Circuit?
    /// Incident API: incidents not resolved, when the backend can count them without a remote call.
    public var openIncidents: Int?

    public init(
        component: String, status: Status, detail: String? = nil, kind: Kind? = nil,
        connected: Bool? = nil, roomsJoined: Int? = nil, roomsConfigured: Int? = nil,
        depth: Int? = nil, oldestAgeSeconds: Double? = nil, circuit: Circuit? = nil, openIncidents: Int? = nil
    ) {
        self.component = component
        self.status = status
        self.detail = detail
        self.kind = kind
        self.connected = connected
        self.roomsJoined = roomsJoined
        self.roomsConfigured = roomsConfigured
        self.depth = depth
        self.oldestAgeSeconds = oldestAgeSeconds
        self.circuit = circuit
        self.openIncidents = openIncidents
    }

    /// ``kind``, or what the component name says: `irc:`/`xmpp:` are networks, `outbox` the outbox,
    /// `pagerduty`/`embedded` the incident API.
    public var resolvedKind: Kind {
        if let kind { return kind }
        if component.hasPrefix("irc:") || component.hasPrefix("xmpp:") { return .network }
        switch component {
        case "outbox": return .outbox
        case "pagerduty", "embedded": return .incidentAPI
        default: return .other
        }
    }

    /// ``connected``, or for a network that does not say: connected when ok.
    public var isConnected: Bool { connected ?? (status == .ok) }
}

/// Anything that can say how it is doing: a chat connection, the incident API client, the outbox.
public protocol HealthSource: Sendable {
    func health() async -> [ComponentHealth]
}

/// Collects every source's report; the gateway is `ok` only when every component is.
public struct HealthReport: Sendable, Hashable, Codable {
    public var status: ComponentHealth.Status
    public var components: [ComponentHealth]

    public init(components: [ComponentHealth]) {
        self.components = components
        if components.contains(where: { $0.status == .down }) {
            status = .down
        } else if components.contains(where: { $0.status == .degraded }) {
            status = .degraded
        } else {
            status = .ok
        }
    }

    public static func collect(from sources: [any HealthSource]) async -> HealthReport {
        var components: [ComponentHealth] = []
        for source in sources { components += await source.health() }
        return HealthReport(components: components)
    }
}
