import Foundation
import TocsinCore

/// The facts a page and a postmortem both state about one incident: times, durations,
/// responders, the merged timeline.
public struct IncidentSummary: Sendable {
    public var record: IncidentRecord
    public var chat: [RecordedChatLine]
    public var timeline: [TimelineItem]
    /// Rooms that received its announcements, `network room`.
    public var rooms: [String]

    public init(record: IncidentRecord, chat: [RecordedChatLine], rooms: [String] = [], emailOf: (String) -> String? = { _ in nil }) {
        self.record = record
        self.chat = chat
        self.rooms = rooms
        self.timeline = MergedTimeline.merge(events: record.events, chat: chat, emailOf: emailOf)
    }

    public var incident: Incident { record.incident }

    public var timeToAcknowledge: TimeInterval? {
        record.acknowledgedAt.map { $0.timeIntervalSince(incident.createdAt) }
    }

    public var timeToResolve: TimeInterval? {
        record.resolvedAt.map { $0.timeIntervalSince(incident.createdAt) }
    }

    /// People who changed the incident or spoke about it, in order of first appearance:
    /// platform users by their name or email, chat people as `nick (identity)`.
    public var responders: [String] {
        var seen: [String] = []
        for item in timeline {
            let name: String?
            switch item {
            case .event(let event, _): name = event.actor
            case .chat(let line): name = line.isBot ? nil : line.identity.map { "\(line.nick) (\($0))" } ?? "\(line.nick) (unverified)"
            }
            if let name, !seen.contains(name) { seen.append(name) }
        }
        return seen
    }
}
