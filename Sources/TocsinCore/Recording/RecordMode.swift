/// What a room's conversation contributes to incident timelines (`record:` on a room).
///
/// People in a room should know what is kept about what they say there: the greeting and `!help`
/// say it, and README's "Incident pages, recording and privacy" lists what is stored and for how long.
public enum RecordMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Only lines that name an incident (`#12`, or a command such as `!ack 12`) while it is open
    /// or shortly after it resolved. The default: ordinary chatter is never kept.
    case mentions
    /// Every line said in a room that received an incident's announcement while that incident is
    /// open (and shortly after it resolved): for war rooms opened for one incident.
    case all
    /// Nothing said here is kept.
    case off

    /// The default when a room says nothing.
    public static let standard: RecordMode = .mentions

    /// How the greeting and `!help` word it ("recorded: lines that mention an incident").
    public var disclosure: String? {
        switch self {
        case .mentions: "lines that mention an open incident (#N) are kept in its timeline"
        case .all: "while an incident announced here is open, every line is kept in its timeline"
        case .off: nil
        }
    }
}
