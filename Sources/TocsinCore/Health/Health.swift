/// How one part of the gateway is doing, for `/healthz`.
public struct ComponentHealth: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case ok
        /// Working with reduced service (reconnecting, circuit open, backlog growing).
        case degraded
        case down
    }

    public var component: String
    public var status: Status
    public var detail: String?

    public init(component: String, status: Status, detail: String? = nil) {
        self.component = component
        self.status = status
        self.detail = detail
    }
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
