import Foundation
import TocsinCore

/// One entry of the merged timeline: an incident event or a line said in chat.
public enum TimelineItem: Sendable, Hashable {
    case event(IncidentHistoryEvent, via: RecordedChatLine?)
    case chat(RecordedChatLine)

    public var at: Date {
        switch self {
        case .event(let event, _): event.at
        case .chat(let line): line.at
        }
    }
}

/// Merges the platform's history with the captured chat into one timeline, oldest first
/// (issue 13, items 1 and 4).
///
/// Order: by time; at the same instant a chat line comes before an incident event (the command
/// `!ack 1` is what caused the acknowledgement stored in the same millisecond), and each source
/// keeps its own order. An event made by a person is shown with the room it came from when a
/// command line by one of that person's identities naming the incident precedes it within
/// ``commandWindow``.
public struct MergedTimeline: Sendable {
    /// How long before an event its causing command may have been said.
    public static let commandWindow: TimeInterval = 30

    public static func merge(events: [IncidentHistoryEvent], chat: [RecordedChatLine],
                             emailOf: (String) -> String? = { _ in nil }) -> [TimelineItem] {
        let chronological = chat.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        var items: [(item: TimelineItem, rank: Int, order: Int)] = []
        for (index, line) in chronological.enumerated() {
            items.append((.chat(line), 0, index))
        }
        for (index, event) in events.enumerated() {
            items.append((.event(event, via: cause(of: event, in: chronological, emailOf: emailOf)), 1, index))
        }
        return items.sorted { ($0.item.at, $0.rank, $0.order) < ($1.item.at, $1.rank, $1.order) }.map(\.item)
    }

    /// The latest command line by the event's actor said shortly before it.
    static func cause(of event: IncidentHistoryEvent, in chat: [RecordedChatLine], emailOf: (String) -> String?) -> RecordedChatLine? {
        guard let actor = event.actor?.lowercased() else { return nil }
        return chat.last { line in
            guard !line.isBot, line.at <= event.at, event.at.timeIntervalSince(line.at) <= commandWindow,
                  let identity = line.identity, emailOf(identity)?.lowercased() == actor else { return false }
            return true
        }
    }
}
