/// `/readyz`: whether the gateway can do its job, per component and overall.
///
/// The overall status follows what an operator can still rely on, not the worst component:
/// - `down` only when nothing can work: the outbox cannot be read (nothing is stored or delivered),
///   or every configured chat network is down (nowhere to announce, nobody to answer);
/// - `degraded` when something is missing but the gateway still works: one network of several
///   down, a room not joined, the incident API failing or its circuit open (announcements from the
///   intake still reach the rooms), a backlog;
/// - `ok` when every component is ok.
///
/// Orchestrators take a `down` gateway out of rotation (503); a `degraded` one still answers 200,
/// so one broken network does not stop the intake for the others.
public struct ReadinessReport: Sendable, Hashable, Codable {
    public var status: ComponentHealth.Status
    /// Why the status is not `ok`, in words (nil when ok).
    public var reason: String?
    public var components: [ComponentHealth]

    public init(components: [ComponentHealth]) {
        self.components = components
        (status, reason) = Self.judge(components)
    }

    public static func collect(from sources: [any HealthSource]) async -> ReadinessReport {
        var components: [ComponentHealth] = []
        for source in sources { components += await source.health() }
        return ReadinessReport(components: components)
    }

    private static func judge(_ components: [ComponentHealth]) -> (ComponentHealth.Status, String?) {
        if let outbox = components.first(where: { $0.resolvedKind == .outbox && $0.status == .down }) {
            return (.down, "the outbox is unusable, so nothing can be stored or delivered: \(outbox.detail ?? "no detail")")
        }
        let networks = components.filter { $0.resolvedKind == .network }
        if !networks.isEmpty, networks.allSatisfy({ $0.status == .down }) {
            let names = networks.map(\.component).joined(separator: ", ")
            return (.down, networks.count == 1 ? "the only chat network (\(names)) is down"
                                                : "every chat network is down (\(names))")
        }
        let impaired = components.filter { $0.status != .ok }
        guard !impaired.isEmpty else { return (.ok, nil) }
        return (.degraded, impaired.map { "\($0.component) is \($0.status.rawValue)" }.joined(separator: "; "))
    }
}
