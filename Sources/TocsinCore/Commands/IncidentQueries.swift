import Foundation

/// The reads behind issue 12's output: `!incidents` with a count and "mine", `!ack` without a
/// number (what is assigned to me and triggered), and "already acknowledged by bob 5 m ago".
///
/// A separate protocol so that every ``IncidentService`` need not grow; the embedded store and
/// PagerDuty implement it, and the command handler falls back to ``IncidentService/openIncidents(limit:)``
/// for a backend that does not.
public protocol IncidentQueries: Sendable {
    /// Incidents in `statuses`, newest first, assigned to `assignee` when given (by email), at
    /// most `limit`; `total` counts all that match.
    func incidents(in statuses: Set<IncidentStatus>, assignedTo assignee: Actor?, limit: Int) async throws -> OpenIncidentList
    /// The latest change of incident `number` to `status`: who made it and when; nil when unknown.
    func lastChange(of number: Int, to status: IncidentStatus) async throws -> IncidentChangeRecord?
}

/// Who changed an incident's status, and when.
public struct IncidentChangeRecord: Sendable, Hashable {
    /// An email (embedded store) or a display name (PagerDuty); nil for the platform itself.
    public var actor: String?
    public var at: Date

    public init(actor: String?, at: Date) {
        self.actor = actor
        self.at = at
    }
}
