import Foundation
import Logging
import Synchronization

/// What the ``Gateway`` hands every room line and every announcement to. Both calls return at once:
/// recording must never delay a command or an announcement.
public protocol ChatLineRecorder: Sendable {
    /// A line was said in a room (a person's, or the bot's own reply).
    func observe(_ line: ObservedChatLine)
    /// An incident's announcement was stored for these rooms: lines there may now be recorded.
    func announced(_ incident: Int, in rooms: [ChatDestination], at: Date)
}

/// Where recorded lines and the rooms that received each incident's announcements are kept
/// (`TocsinStorage.ChatRecordTable` in the gateway, a dictionary in tests).
public protocol ChatRecordStore: Sendable {
    func noteAnnounced(_ incident: Int, in room: ChatDestination, at: Date) async throws
    /// Incidents announced in `room` since `since`.
    func incidentsAnnounced(in room: ChatDestination, since: Date) async throws -> [Int]
    func append(_ lines: [RecordedChatLine]) async throws
}

/// Records room lines into incident timelines in the background (issue 13, item 3).
///
/// ``observe(_:)`` only appends to a bounded buffer; one task (``run()``) decides with
/// ``RecordingRules`` and writes. When the writer falls behind by more than ``bufferSize`` lines
/// the oldest unwritten lines are dropped and counted (``dropped``) — losing a chat line from a
/// timeline is better than slowing a command down.
public final class ChatRecorder: ChatLineRecorder {
    /// Shared with the greeting and `!help`, and replaced by a reload.
    public let rulesSource: RecordingRulesSource
    /// The rules in force now.
    public var rules: RecordingRules { rulesSource.current }
    private let store: any ChatRecordStore
    private let mentions: IncidentMentions
    private let activity: @Sendable (Int) async -> IncidentActivity?
    private let logger: Logger
    private let stream: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    private let droppedCount = Atomic<Int>(0)
    public let bufferSize: Int

    enum Item: Sendable {
        case line(ObservedChatLine)
        case announced(Int, [ChatDestination], Date)
    }

    /// - Parameter activity: the incident's state (open, or resolved when), nil when unknown;
    ///   asked at most once per incident every few seconds.
    public init(rules: RecordingRulesSource, store: any ChatRecordStore, parser: CommandParser,
                activity: @escaping @Sendable (Int) async -> IncidentActivity?,
                logger: Logger = Logger(label: "tocsin.recording"), bufferSize: Int = 4096) {
        self.rulesSource = rules
        self.store = store
        self.mentions = IncidentMentions(parser: parser)
        self.activity = activity
        self.logger = logger
        self.bufferSize = bufferSize
        (stream, continuation) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .bufferingNewest(bufferSize))
    }

    /// Lines dropped because the writer fell behind.
    public var dropped: Int { droppedCount.load(ordering: .relaxed) }

    public func observe(_ line: ObservedChatLine) {
        // Cheap checks here, so a room with `record: off` costs nothing at all.
        guard rules.mode(for: line.room) != .off else { return }
        offer(.line(line))
    }

    public func announced(_ incident: Int, in rooms: [ChatDestination], at: Date) {
        let rooms = rooms.filter { rules.mode(for: $0) != .off }
        guard !rooms.isEmpty else { return }
        offer(.announced(incident, rooms, at))
    }

    private func offer(_ item: Item) {
        if case .dropped = continuation.yield(item) {
            droppedCount.add(1, ordering: .relaxed)
        }
    }

    /// Stops ``run()`` after the lines already buffered are written.
    public func finish() { continuation.finish() }

    /// Writes buffered lines until ``finish()`` or cancellation.
    public func run() async {
        var cache: [Int: (activity: IncidentActivity?, fetched: ContinuousClock.Instant)] = [:]
        func state(of number: Int) async -> IncidentActivity? {
            if let cached = cache[number], cached.fetched.duration(to: .now) < .seconds(5) { return cached.activity }
            let value = await activity(number)
            if cache.count > 1024 { cache.removeAll(keepingCapacity: true) }
            cache[number] = (value, .now)
            return value
        }
        var quiet = QuietRooms()
        for await item in stream {
            do {
                switch item {
                case .announced(let incident, let rooms, let at):
                    for room in rooms {
                        quiet.announced(in: room)
                        try await store.noteAnnounced(incident, in: room, at: at)
                    }
                case .line(let line):
                    let lines = try await recordedLines(for: line, quiet: &quiet, state: state)
                    if !lines.isEmpty { try await store.append(lines) }
                }
            } catch {
                logger.warning("could not record a chat line", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The rows to keep for one line (empty when it is not kept).
    func recordedLines(for line: ObservedChatLine, quiet: inout QuietRooms,
                       state: (Int) async -> IncidentActivity?) async throws -> [RecordedChatLine] {
        let mode = rules.mode(for: line.room)
        let mentioned = mentions.numbers(in: line.text)
        if mode == .mentions, mentioned.isEmpty { return [] }
        let since = line.at.addingTimeInterval(-rules.retention)
        let announced: [Int]
        if quiet.hasNothingAnnounced(in: line.room, since: since) {
            announced = []
        } else {
            announced = try await store.incidentsAnnounced(in: line.room, since: since)
            if announced.isEmpty { quiet.nothingAnnounced(in: line.room, since: since) }
        }
        let candidates = mode == .all ? announced : announced.filter(mentioned.contains)
        var states: [Int: IncidentActivity] = [:]
        for number in candidates {
            if let value = await state(number) { states[number] = value }
        }
        return rules.incidents(for: line, mentioned: mentioned, announcedHere: states)
            .map { RecordedChatLine(line, incident: $0) }
    }
}

/// Rooms where the store had no incident announced since a date, so later lines there need not
/// ask it again (issue 11: a command and its answer each cost a database read on a room where
/// nothing is announced, e.g. a command on an incident routed elsewhere).
///
/// Exact, not a time-based cache: the recorder is the only writer of announcements to its store
/// (``ChatRecorder/announced(_:in:at:)`` → ``ChatRecordStore/noteAnnounced(_:in:at:)``) and
/// forgets a room here before noting one there; pruning only deletes. A query that was empty
/// since `S` is empty for every later `since` until then.
struct QuietRooms {
    /// Folded room → the earliest `since` the store answered "nothing" for.
    private var since: [ChatDestination: Date] = [:]
    /// Rooms remembered at most (then all are forgotten: the next lines ask again).
    static let capacity = 4096

    func hasNothingAnnounced(in room: ChatDestination, since date: Date) -> Bool {
        guard let quietSince = since[room.folded] else { return false }
        return date >= quietSince
    }

    mutating func nothingAnnounced(in room: ChatDestination, since date: Date) {
        let key = room.folded
        if since.count >= Self.capacity, since[key] == nil { since.removeAll(keepingCapacity: true) }
        since[key] = min(since[key] ?? date, date)
    }

    mutating func announced(in room: ChatDestination) {
        since[room.folded] = nil
    }
}
