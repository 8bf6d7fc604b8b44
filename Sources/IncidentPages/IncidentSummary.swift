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
    /// The platform email of each chat identity that has one, so a person who both typed in chat
    /// and changed the incident is one responder, not two.
    private let emailByIdentity: [String: String]

    public init(record: IncidentRecord, chat: [RecordedChatLine], rooms: [String] = [], emailOf: (String) -> String? = { _ in nil }) {
        self.record = record
        self.chat = chat
        self.rooms = rooms
        self.timeline = MergedTimeline.merge(events: record.events, chat: chat, emailOf: emailOf)
        var emails: [String: String] = [:]
        for line in chat { if let identity = line.identity, let email = emailOf(identity) { emails[identity] = email } }
        emailByIdentity = emails
    }

    public var incident: Incident { record.incident }

    public var timeToAcknowledge: TimeInterval? {
        record.acknowledgedAt.map { $0.timeIntervalSince(incident.createdAt) }
    }

    public var timeToResolve: TimeInterval? {
        record.resolvedAt.map { $0.timeIntervalSince(incident.createdAt) }
    }

    /// People who changed the incident or spoke about it, once each, in order of first
    /// appearance. A chat person whose identity maps to a platform email is the same person as
    /// that email's events and shows as `nick (email)`; other chat people as `nick (identity)`;
    /// platform users who never spoke by their name or email.
    public var responders: [String] {
        var order: [String] = []
        var shown: [String: String] = [:]
        var namedInChat: Set<String> = []
        for item in timeline {
            let key: String, name: String, fromChat: Bool
            switch item {
            case .event(let event, _):
                guard let actor = event.actor else { continue }
                (key, name, fromChat) = (actor.lowercased(), actor, false)
            case .chat(let line):
                guard !line.isBot else { continue }
                if let identity = line.identity, let email = emailByIdentity[identity] {
                    (key, name, fromChat) = (email.lowercased(), "\(line.nick) (\(email))", true)
                } else {
                    let label = line.identity ?? "unverified"
                    (key, name, fromChat) = ("\(line.nick) (\(label))", "\(line.nick) (\(label))", true)
                }
            }
            if shown[key] == nil { order.append(key) }
            // The chat form names the nick too, so it wins over an event's bare email.
            if shown[key] == nil || (fromChat && !namedInChat.contains(key)) { shown[key] = name }
            if fromChat { namedInChat.insert(key) }
        }
        return order.compactMap { shown[$0] }
    }
}
