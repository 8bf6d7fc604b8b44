import Foundation

/// Where an incident is in its life, as far as recording cares.
public struct IncidentActivity: Sendable, Hashable {
    public var isResolved: Bool
    /// When it was resolved (for the grace period after); nil while open.
    public var resolvedAt: Date?

    public init(isResolved: Bool, resolvedAt: Date? = nil) {
        self.isResolved = isResolved
        self.resolvedAt = resolvedAt
    }

    public static let open = IncidentActivity(isResolved: false)
}

/// The recording rules in force, shared by the recorder, the greeting and `!help`, replaced by a
/// reload.
public typealias RecordingRulesSource = Reloadable<RecordingRules>

/// Decides which incidents' timelines a room line belongs to (issue 13, item 3): per room
/// `record: mentions | all | off` (default mentions); only while the incident is open and for
/// ``afterResolve`` after it resolved; only in rooms that received the incident's announcement.
/// Pure, so the rules are tested without a database or a clock.
public struct RecordingRules: Sendable, Hashable {
    /// Per room (compared case-folded, as ``ChatDestination/folded``).
    public var modes: [ChatDestination: RecordMode]
    /// Rooms nobody configured (joined on invitation).
    public var defaultMode: RecordMode
    /// How long after an incident resolved its rooms are still recorded (30 minutes).
    public var afterResolve: TimeInterval
    /// How long recorded lines are kept before they are pruned (90 days).
    public var retention: TimeInterval

    public static let defaultAfterResolve: TimeInterval = 30 * 60
    public static let defaultRetention: TimeInterval = 90 * 86400

    public init(modes: [ChatDestination: RecordMode] = [:], defaultMode: RecordMode = .standard,
                afterResolve: TimeInterval = defaultAfterResolve, retention: TimeInterval = defaultRetention) {
        self.modes = Dictionary(modes.map { ($0.key.folded, $0.value) }, uniquingKeysWith: { _, last in last })
        self.defaultMode = defaultMode
        self.afterResolve = afterResolve
        self.retention = retention
    }

    /// The mode of a room; direct conversations are never recorded.
    public func mode(for destination: ChatDestination) -> RecordMode {
        guard case .room = destination.conversation else { return .off }
        return modes[destination.folded] ?? defaultMode
    }

    /// Whether lines about an incident in this state are still recorded at `now`.
    public func isRecording(_ activity: IncidentActivity, now: Date) -> Bool {
        guard activity.isResolved else { return true }
        guard let resolvedAt = activity.resolvedAt else { return false }
        return now.timeIntervalSince(resolvedAt) <= afterResolve
    }

    /// The incidents the line is kept for.
    /// - Parameters:
    ///   - mentioned: the incidents the line names (``IncidentMentions``).
    ///   - announcedHere: the incidents announced in the line's room, with their state.
    public func incidents(for line: ObservedChatLine, mentioned: [Int], announcedHere: [Int: IncidentActivity]) -> [Int] {
        let candidates: [Int]
        switch mode(for: line.room) {
        case .off: return []
        case .mentions: candidates = mentioned
        case .all: candidates = announcedHere.keys.sorted()
        }
        return candidates.filter { number in
            guard let activity = announcedHere[number] else { return false }
            return isRecording(activity, now: line.at)
        }
    }
}
