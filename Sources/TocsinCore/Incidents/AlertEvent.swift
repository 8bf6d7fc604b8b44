import Foundation

/// An Events API v2 event (`POST /v2/enqueue`) after validation: what monitoring tools send to open,
/// acknowledge or resolve incidents by `dedup_key`.
public struct AlertEvent: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, Codable {
        case trigger
        case acknowledge
        case resolve
    }

    public var service: String
    public var action: Action
    public var dedupKey: String
    /// Present for triggers.
    public var summary: String?
    public var source: String?
    public var severity: Severity?
    public var component: String?
    public var links: [String]

    public init(
        service: String, action: Action, dedupKey: String, summary: String? = nil, source: String? = nil,
        severity: Severity? = nil, component: String? = nil, links: [String] = []
    ) {
        self.service = service
        self.action = action
        self.dedupKey = dedupKey
        self.summary = summary
        self.source = source
        self.severity = severity
        self.component = component
        self.links = links
    }
}

/// What became of an enqueued event. Events API semantics: a trigger whose dedup key matches an
/// open incident adds to it; acknowledge/resolve of an unknown key is accepted and does nothing.
public enum AlertEventOutcome: Sendable, Hashable {
    case opened(Incident)
    case merged(Incident)
    case updated(Incident)
    case ignored
}

/// Backends that accept Events API v2 events directly (the embedded store).
public protocol AlertEventIntake: Sendable {
    func enqueue(_ event: AlertEvent) async throws -> AlertEventOutcome
}
