import Prometheus
import TocsinCore

/// The gateway's own series in `/metrics`, each with its `# HELP` line: gauges refreshed from the
/// health sources at every scrape, the command counter and latency histogram, incident API call
/// latency, and build info.
///
/// Every series is made through the ``PrometheusCollectorRegistry`` with its help text (never
/// through the global `MetricsSystem`, whose series have none): the registry refuses one name with
/// two help texts, and returns the same series to every ``GatewayMetrics`` on it, so the intake's
/// instance and the command path's instance add to the same numbers.
public struct GatewayMetrics: CommandObserver, IncidentAPIObserver {
    public let registry: PrometheusCollectorRegistry

    enum Name {
        static let buildInfo = "tocsin_build_info"
        static let connected = "tocsin_network_connected"
        static let roomsJoined = "tocsin_network_rooms_joined"
        static let roomsConfigured = "tocsin_network_rooms_configured"
        static let componentUp = "tocsin_component_status"
        static let outboxDepth = "tocsin_outbox_depth"
        static let outboxOldest = "tocsin_outbox_oldest_age_seconds"
        static let openIncidents = "tocsin_open_incidents"
        static let circuit = "tocsin_incident_api_circuit_state"
        static let commands = "tocsin_commands_total"
        static let commandDuration = "tocsin_command_duration_seconds"
        static let apiDuration = "tocsin_incident_api_call_duration_seconds"
    }

    enum Help {
        static let buildInfo = "Tocsin build information; the value is always 1"
        static let connected = "1 when the chat network's session is established (registered, stream bound), else 0"
        static let roomsJoined = "Rooms the gateway is in on this network"
        static let roomsConfigured = "Rooms the gateway should be in on this network (configured and accepted invitations)"
        static let componentUp = "Component status as in /readyz: 0 ok, 1 degraded, 2 down"
        static let outboxDepth = "Messages stored for delivery and not yet delivered"
        static let outboxOldest = "Age of the oldest undelivered message in seconds (0 when none waits)"
        static let openIncidents = "Incidents not resolved, where the backend counts them locally (embedded store)"
        static let circuit = "Incident API circuit breaker: 0 closed, 1 half-open (probing), 2 open"
        static let commands = "Chat commands answered, by command and outcome (ok, refused, failed, invalid, unsupported)"
        static let commandDuration = "Time from the start of a command's run to its reply being ready, by command and outcome"
        static let apiDuration = "Incident API call latency including retries, by operation and outcome (ok, error)"
    }

    /// Command latency buckets: replies are expected in tens of milliseconds; an API answering in
    /// seconds is what the upper buckets are for.
    static let commandBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10), .seconds(30),
    ]

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Publishes `tocsin_build_info{version="…"} 1`.
    public func recordBuildInfo(version: String) {
        registry.makeGauge(name: Name.buildInfo, labels: [("version", version)], help: Help.buildInfo).set(1.0)
    }

    public func commandFinished(_ command: String, outcome: CommandOutcome, duration: Duration) {
        let labels = [("command", command), ("outcome", outcome.rawValue)]
        registry.makeCounter(name: Name.commands, labels: labels, help: Help.commands).increment()
        registry.makeDurationHistogram(name: Name.commandDuration, labels: labels, buckets: Self.commandBuckets,
                                       help: Help.commandDuration).record(duration)
    }

    public func apiCallFinished(_ operation: String, succeeded: Bool, duration: Duration) {
        registry.makeDurationHistogram(
            name: Name.apiDuration, labels: [("operation", operation), ("outcome", succeeded ? "ok" : "error")],
            buckets: Self.commandBuckets, help: Help.apiDuration
        ).record(duration)
    }

    /// Sets the gauges from one health collection (called at each scrape).
    public func refresh(from components: [ComponentHealth]) {
        var depth = 0
        var oldest = 0.0
        var sawOutbox = false
        for component in components {
            let label = [("component", component.component)]
            registry.makeGauge(name: Name.componentUp, labels: label, help: Help.componentUp)
                .set(Double(Self.statusValue(component.status)))
            switch component.resolvedKind {
            case .network:
                let network = [("network", component.component)]
                registry.makeGauge(name: Name.connected, labels: network, help: Help.connected).set(component.isConnected ? 1.0 : 0.0)
                if let joined = component.roomsJoined {
                    registry.makeGauge(name: Name.roomsJoined, labels: network, help: Help.roomsJoined).set(Double(joined))
                }
                if let configured = component.roomsConfigured {
                    registry.makeGauge(name: Name.roomsConfigured, labels: network, help: Help.roomsConfigured).set(Double(configured))
                }
            case .outbox:
                sawOutbox = true
                depth += component.depth ?? 0
                oldest = max(oldest, component.oldestAgeSeconds ?? 0)
            case .incidentAPI:
                let backend = [("backend", component.component)]
                if let circuit = component.circuit {
                    registry.makeGauge(name: Name.circuit, labels: backend, help: Help.circuit).set(Double(Self.circuitValue(circuit)))
                }
                if let open = component.openIncidents {
                    registry.makeGauge(name: Name.openIncidents, labels: backend, help: Help.openIncidents).set(Double(open))
                }
            case .other:
                break
            }
        }
        if sawOutbox {
            registry.makeGauge(name: Name.outboxDepth, help: Help.outboxDepth).set(Double(depth))
            registry.makeGauge(name: Name.outboxOldest, help: Help.outboxOldest).set(oldest)
        }
    }

    static func statusValue(_ status: ComponentHealth.Status) -> Int {
        switch status {
        case .ok: 0
        case .degraded: 1
        case .down: 2
        }
    }

    static func circuitValue(_ circuit: ComponentHealth.Circuit) -> Int {
        switch circuit {
        case .closed: 0
        case .halfOpen: 1
        case .open: 2
        }
    }
}
