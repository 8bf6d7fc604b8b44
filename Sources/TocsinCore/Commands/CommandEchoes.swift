import Foundation
import Synchronization

/// One line per action in the room where a command was typed (issue 12, item 5).
///
/// A write command (`!ack 5` in `#ops`) changes an incident; the change is announced in every room
/// routed for it — often `#ops` itself — and the command also answers its author. Before, `#ops`
/// got both lines. Now the command leaves an *echo* here before it runs:
///
/// - while it runs (``Mode/speak``), the announcement of its own change in its own room is worded
///   as the answer (`alice: Acknowledged #5 …`, threaded to the command) and the command then says
///   nothing more about that incident — this is how the embedded store works, which announces
///   inside the command (and for `!ack`/`!resolve` inside the same transaction);
/// - after it answered (``Mode/silence``), the change's later announcement in that room is dropped:
///   PagerDuty announces by webhook seconds after the API call returned.
///
/// A command on several incidents (`!ack 1 2 3`) *folds* instead (``Echo/folds``): while it runs
/// its changes' announcements in its room are left out, and its answer says them all in one line
/// (`alice: Acknowledged #1, #2, #3; Failed: …`) — one line per action, not one per incident.
///
/// Other rooms always get the plain announcement. An echo matches an event by room, incident
/// number and kind, and by actor when the event names one by email; each incident is matched once,
/// and a silence lasts ``silenceDuration`` at most.
public final class CommandEchoes: Sendable {
    public enum Mode: Sendable, Hashable {
        case speak
        case silence(until: Date)
    }

    public struct Echo: Sendable, Hashable {
        public var origin: ChatDestination
        public var nick: String
        /// The actor's email; events naming another email never match.
        public var actor: String
        /// nil: any incident (a `!trigger` does not know its number in advance).
        public var numbers: Set<Int>?
        public var kinds: Set<IncidentEventKind>
        public var messageID: String?
        /// Said before the first echoed line (`!ack` without numbers says how many it took).
        public var headline: String?
        /// The command answers every change itself, in one line: its announcements in its room
        /// are left out while it runs (claimed as ``Claim/silence``), not worded as the answer.
        public var folds: Bool

        public init(origin: ChatDestination, nick: String, actor: String, numbers: Set<Int>?, kinds: Set<IncidentEventKind>,
                    messageID: String? = nil, headline: String? = nil, folds: Bool = false) {
            self.origin = origin
            self.nick = nick
            self.actor = actor
            self.numbers = numbers
            self.kinds = kinds
            self.messageID = messageID
            self.headline = headline
            self.folds = folds
        }
    }

    /// What the announcer does with the event's line in the command's room.
    public enum Claim: Sendable, Hashable {
        /// Word it as the answer to `nick`, threaded to `messageID`.
        case speak(nick: String, messageID: String?, headline: String?)
        /// Leave the room out: the command already answered.
        case silence
    }

    public static let silenceDuration: TimeInterval = 600
    static let capacity = 1000

    private struct Entry {
        var id: Int
        var echo: Echo
        var mode: Mode
        var claimed: [Int] = []
    }

    private struct State {
        var nextID = 1
        var entries: [Entry] = []
    }

    private let state = Mutex(State())
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = Date.init) {
        self.now = now
    }

    /// Leaves an echo for a command about to run; returns its token for ``finish(_:silencing:)``.
    public func expect(_ echo: Echo) -> Int {
        let at = now()
        return state.withLock { state in
            Self.prune(&state, at: at)
            let id = state.nextID
            state.nextID += 1
            state.entries.append(Entry(id: id, echo: Echo(origin: echo.origin.folded, nick: echo.nick, actor: echo.actor.lowercased(),
                                                          numbers: echo.numbers, kinds: echo.kinds, messageID: echo.messageID,
                                                          headline: echo.headline, folds: echo.folds),
                                       mode: .speak))
            return id
        }
    }

    /// The command has its answer: returns the incident numbers whose announcement in its room was
    /// worded as the answer (or, for a folding echo, left out for it), and keeps a silence for `silencing` (changes it reported itself whose
    /// announcement may still come, by webhook).
    @discardableResult
    public func finish(_ token: Int, silencing: Set<Int> = []) -> [Int] {
        let until = now().addingTimeInterval(Self.silenceDuration)
        return state.withLock { state in
            guard let index = state.entries.firstIndex(where: { $0.id == token }) else { return [] }
            let claimed = state.entries[index].claimed
            let rest = silencing.subtracting(claimed)
            if rest.isEmpty {
                state.entries.remove(at: index)
            } else {
                state.entries[index].mode = .silence(until: until)
                state.entries[index].echo.numbers = rest
            }
            return claimed
        }
    }

    /// Whether `event`'s line in `destination` is a command's echo, and what to do with it. A
    /// match is used up (the same incident is never claimed twice by one command).
    public func claim(_ event: IncidentEvent, at destination: ChatDestination) -> Claim? {
        let at = now()
        let room = destination.folded
        let number = event.incident.number
        let eventActor = event.actor?.lowercased()
        return state.withLock { state -> Claim? in
            guard !state.entries.isEmpty else { return nil }
            Self.prune(&state, at: at)
            guard let index = state.entries.firstIndex(where: { entry in
                let echo = entry.echo
                guard echo.origin == room, echo.kinds.contains(event.kind), !entry.claimed.contains(number) else { return false }
                if let numbers = echo.numbers, !numbers.contains(number) { return false }
                switch entry.mode {
                case .speak:
                    // The platform's own changes (nil actor) are never a command's echo.
                    guard let eventActor else { return false }
                    return !eventActor.contains("@") || eventActor == echo.actor
                case .silence:
                    return eventActor.map { !$0.contains("@") || $0 == echo.actor } ?? false
                }
            }) else { return nil }
            var entry = state.entries[index]
            defer {
                if entry.echo.numbers?.isEmpty == true, case .silence = entry.mode {
                    state.entries.remove(at: index)
                } else {
                    state.entries[index] = entry
                }
            }
            switch entry.mode {
            case .speak:
                let headline = entry.claimed.isEmpty ? entry.echo.headline : nil
                entry.claimed.append(number)
                // Folded into the command's own one-line answer.
                if entry.echo.folds { return .silence }
                return .speak(nick: entry.echo.nick, messageID: entry.echo.messageID, headline: headline)
            case .silence:
                entry.echo.numbers?.remove(number)
                return .silence
            }
        }
    }

    /// Echoes waiting (for tests).
    public var count: Int { state.withLock { $0.entries.count } }

    private static func prune(_ state: inout State, at: Date) {
        state.entries.removeAll { entry in
            if case .silence(let until) = entry.mode { return until <= at }
            return false
        }
        if state.entries.count > capacity { state.entries.removeFirst(state.entries.count - capacity) }
    }
}
