import Foundation

/// The kinds of change worth announcing. Names follow PagerDuty Webhooks v3 event types
/// (`incident.<kind>`) so a webhook maps onto them one to one.
public enum IncidentEventKind: String, Sendable, Hashable, Codable, CaseIterable {
    case triggered
    case acknowledged
    case unacknowledged
    case resolved
    case reopened
    case reassigned
    case escalated
    case annotated
    case snoozed
    case priorityUpdated = "priority_updated"
    case statusUpdatePublished = "status_update_published"

    /// Parses both our own spelling and webhook event types (`incident.annotated`).
    public init?(eventType: String) {
        let bare = eventType.hasPrefix("incident.") ? String(eventType.dropFirst("incident.".count)) : eventType
        self.init(rawValue: bare)
    }
}

/// A change to an incident, from any backend, on its way to the rooms that subscribe to it.
///
/// `id` identifies the change itself (a webhook's `event.id`, or the embedded store's timeline row),
/// so the same change received twice is announced once.
public struct IncidentEvent: Sendable, Hashable, Codable {
    public var id: String
    public var kind: IncidentEventKind
    public var incident: Incident
    /// Who made the change (email or display name); nil for changes made by the platform itself.
    public var actor: String?
    /// Note text for `annotated`, new assignee for `reassigned`, and similar detail.
    public var detail: String?
    public var occurredAt: Date

    public init(
        id: String, kind: IncidentEventKind, incident: Incident, actor: String? = nil,
        detail: String? = nil, occurredAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.incident = incident
        self.actor = actor
        self.detail = detail
        self.occurredAt = occurredAt
    }
}

/// Where backends and intakes hand incident events for routing and announcement.
public protocol IncidentEventSink: Sendable {
    /// Routes the event and stores its announcements durably before returning.
    ///
    /// - Throws: when the announcements could not be stored. The caller still holds the event: the
    ///   webhook intake answers 5xx so PagerDuty delivers it again (developer docs, "Webhooks" ›
    ///   "Behavior" › retries), the embedded store publishes it again at the next start.
    func publish(_ event: IncidentEvent) async throws
}

/// An incident event that was not stored for announcement; says what happens to it.
public enum IncidentEventSinkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The outbox write failed (database full, locked, unwritable).
    case notStored(eventID: String, reason: String)
    /// Nothing takes events yet (the gateway is still starting).
    case notReady(eventID: String)

    public var description: String {
        switch self {
        case .notStored(let eventID, let reason):
            "incident event \(eventID) could not be stored for announcement (\(reason)); check that the database is writable — the sender must deliver it again"
        case .notReady(let eventID):
            "incident event \(eventID) arrived before the gateway was ready; the sender must deliver it again"
        }
    }
}
