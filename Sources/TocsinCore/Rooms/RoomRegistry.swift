#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import Synchronization

/// The rooms the bot holds by invitation, for every network: whether to follow an invitation
/// (``InvitePolicy`` plus a cap per network), what to answer a refused inviter, the greeting on
/// joining, forgetting a room on a kick or `!leave`, and the database rows that make all of it
/// survive a restart.
///
/// Transports call it through ``RoomLifecycle`` (synchronously from their sessions: the decision
/// is made under a lock, the database write and the outgoing lines happen in the background, in
/// order); the command handler calls ``leave(_:reason:)``.
public final class RoomRegistry: RoomLifecycle, Sendable {
    /// `invites.max_rooms` when the configuration does not say.
    public static let defaultMaximumRooms = 20

    public struct Settings: Sendable {
        /// Per network name.
        public var invitePolicies: [String: InvitePolicy]
        /// Per network name; ``RoomRegistry/defaultMaximumRooms`` when absent.
        public var maximumRooms: [String: Int]
        /// Rooms from the configuration: invitations to them are followed without being stored,
        /// and they are never forgotten.
        public var configuredRooms: Set<ChatDestination>

        public init(invitePolicies: [String: InvitePolicy] = [:], maximumRooms: [String: Int] = [:],
                    configuredRooms: Set<ChatDestination> = []) {
            self.invitePolicies = invitePolicies
            self.maximumRooms = maximumRooms
            self.configuredRooms = Set(configuredRooms.map(\.folded))
        }
    }

    private struct Entry: Sendable {
        var room: InvitedRoom
        /// Accepted in this process and not greeted yet: the next join says hello.
        var greet: Bool
    }

    private struct State: Sendable {
        var settings: Settings
        var invited: [ChatDestination: Entry] = [:]
        var controls: [String: any RoomControl] = [:]
        /// Words the greeting; set once the gateway (and its router) exists.
        var greeting: (@Sendable (InvitedRoom) -> RichText)?
        /// Told when a room is forgotten (its chat subscriptions go with it).
        var onForget: (@Sendable (ChatDestination) async -> Void)?
        var answers = InvitationAnswerLimiter()
        /// The last queued database write; each new one waits for it, so a save and the forget
        /// of the same room land in the order they were decided.
        var lastWrite: Task<Void, Never>?
    }

    /// The invite policies, caps and configured rooms in force (``update(_:)`` on a reload).
    public var settings: Settings { state.withLock { $0.settings } }
    private let store: (any InvitedRoomStore)?
    private let send: @Sendable ([OutboxMessage]) async -> Void
    private let logger: Logger
    private let wallClock: @Sendable () -> Date
    private let state: Mutex<State>

    /// - Parameters:
    ///   - send: stores lines in the outbox (greetings, answers to refused inviters).
    ///   - greeting: the greeting line for a room just joined on invitation (see ``RoomGreeter``);
    ///     nil greets nobody until ``setGreeting(_:)``.
    public init(
        settings: Settings, store: (any InvitedRoomStore)?,
        send: @escaping @Sendable ([OutboxMessage]) async -> Void,
        greeting: (@Sendable (InvitedRoom) -> RichText)? = nil,
        logger: Logger = Logger(label: "tocsin.rooms"),
        wallClock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.state = Mutex(State(settings: settings))
        self.store = store
        self.send = send
        state.withLock { $0.greeting = greeting }
        self.logger = logger
        self.wallClock = wallClock
    }

    /// Reads the stored rooms (at start, before the transports are built). Rows of networks no
    /// longer configured are kept but not joined.
    public func load() async throws {
        guard let store else { return }
        let rooms = try await store.loadInvitedRooms()
        state.withLock { state in
            for room in rooms { state.invited[room.destination.folded] = Entry(room: room, greet: false) }
        }
        if !rooms.isEmpty { logger.info("invited rooms to rejoin", metadata: ["count": "\(rooms.count)"]) }
    }

    /// New invite policies, caps and configured rooms (a configuration reload). Rooms already held
    /// stay held even when the new cap is lower: only new invitations are refused.
    public func update(_ settings: Settings) {
        state.withLock { $0.settings = settings }
    }

    /// Words the greeting from now on (the assembly sets it once the gateway's router exists).
    public func setGreeting(_ greeting: @escaping @Sendable (InvitedRoom) -> RichText) {
        state.withLock { $0.greeting = greeting }
    }

    /// Called for every room forgotten from now on (kick, `!leave`, ban): the assembly drops the
    /// room's chat subscriptions there, so nothing keeps queueing lines for a room the bot left.
    public func setOnForget(_ onForget: @escaping @Sendable (ChatDestination) async -> Void) {
        state.withLock { $0.onForget = onForget }
    }

    /// The transports that can leave a room, by network (for `!leave`).
    public func attach(_ controls: [any RoomControl]) {
        state.withLock { state in
            for control in controls { state.controls[control.network] = control }
        }
    }

    // MARK: Queries

    public func invitedRoom(_ destination: ChatDestination) -> InvitedRoom? {
        state.withLock { $0.invited[destination.folded]?.room }
    }

    public func kind(of destination: ChatDestination) -> RoomCommands.Kind {
        if case .direct = destination.conversation { return .direct }
        if settings.configuredRooms.contains(destination.folded) { return .configured }
        return invitedRoom(destination) != nil ? .invited : .other
    }

    // MARK: RoomLifecycle

    public func invitedRooms(on network: String) -> [InvitedRoom] {
        state.withLock { state in
            state.invited.values.map(\.room).filter { $0.destination.network == network }.sorted { $0.invitedAt < $1.invitedAt }
        }
    }

    public func decide(_ invitation: RoomInvitation) -> InvitationDecision {
        let key = invitation.destination.folded
        let metadata: Logger.Metadata = [
            "network": "\(invitation.network)", "room": "\(invitation.room)",
            "inviter": "\(invitation.inviter?.description ?? "unverified \(invitation.inviterName)")",
        ]
        if settings.configuredRooms.contains(key) {
            logger.info("invited to a configured room; joining it", metadata: metadata)
            return .accept
        }
        let now = ContinuousClock.now
        let invitedAt = wallClock()
        let (decision, saved, answer): (InvitationDecision, InvitedRoom?, OutboxMessage?) = state.withLock { state in
            // Already ours (a second invitation, or the bot is rejoining): nothing new to count.
            if state.invited[key] != nil { return (.accept, nil, nil) }
            let count = state.invited.keys.filter { $0.network == invitation.network }.count
            let policy = state.settings.invitePolicies[invitation.network] ?? InvitePolicy()
            let maximum = state.settings.maximumRooms[invitation.network] ?? Self.defaultMaximumRooms
            switch policy.decide(room: invitation.room, inviter: invitation.inviter, invitedRooms: count, maximumRooms: maximum) {
            case .accept:
                let room = InvitedRoom(destination: invitation.destination, inviter: invitation.inviter,
                                       inviterName: invitation.inviterName, invitedAt: invitedAt)
                state.invited[key] = Entry(room: room, greet: true)
                return (.accept, room, nil)
            case .refuse(let reason):
                guard let answerTo = invitation.answerTo, state.answers.admit(answerTo, now: now) else {
                    return (.refuse(reason: reason), nil, nil)
                }
                let text = RichText([.tone(.warning, "Not joining "), .bold(invitation.room), .plain(": \(reason).")])
                return (.refuse(reason: reason), nil, OutboxMessage(destination: answerTo, text: text, priority: .readReply))
            }
        }
        switch decision {
        case .accept:
            if let saved {
                logger.info("invitation accepted", metadata: metadata)
                persist { store in try await store.save(saved) }
            }
        case .refuse(let reason):
            var metadata = metadata
            metadata["reason"] = "\(reason)"
            metadata["answered"] = "\(answer != nil)"
            logger.notice("invitation refused", metadata: metadata)
        }
        if let answer {
            let send = self.send
            Task { await send([answer]) }
        }
        return decision
    }

    public func roomEvent(_ event: RoomEvent) {
        switch event {
        case .joined(let destination):
            let greet: (InvitedRoom, @Sendable (InvitedRoom) -> RichText)? = state.withLock { state in
                let key = destination.folded
                guard var entry = state.invited[key], entry.greet, let greeting = state.greeting else { return nil }
                entry.greet = false
                state.invited[key] = entry
                return (entry.room, greeting)
            }
            guard let (room, greeting) = greet else { return }
            let line = OutboxMessage(destination: destination, text: greeting(room), priority: .readReply)
            let send = self.send
            Task { await send([line]) }
        case .removed(let destination, let reason):
            guard forget(destination) else { return }
            logger.notice("removed from an invited room; forgotten (invite the bot again to bring it back)", metadata: [
                "network": "\(destination.network)", "room": "\(destination.conversation)", "reason": "\(reason)",
            ])
        }
    }

    // MARK: Leaving

    /// Forgets an invited room and asks its transport to leave it (`!leave`). False when the room
    /// is not held by invitation.
    @discardableResult
    public func leave(_ destination: ChatDestination, reason: String) async -> Bool {
        guard case .room(let room) = destination.conversation, forget(destination) else { return false }
        logger.info("leaving an invited room on request", metadata: [
            "network": "\(destination.network)", "room": "\(room)",
        ])
        let control = state.withLock { $0.controls[destination.network] }
        await control?.leave(room: room, reason: reason)
        return true
    }

    /// Waits until every database write decided so far is done (tests, shutdown).
    public func flush() async {
        let last = state.withLock { $0.lastWrite }
        await last?.value
    }

    private func forget(_ destination: ChatDestination) -> Bool {
        let (removed, onForget) = state.withLock { ($0.invited.removeValue(forKey: destination.folded) != nil, $0.onForget) }
        guard removed else { return false }
        persist { store in try await store.forget(destination) }
        if let onForget { Task { await onForget(destination) } }
        return true
    }

    private func persist(_ operation: @escaping @Sendable (any InvitedRoomStore) async throws -> Void) {
        guard let store else { return }
        let logger = self.logger
        state.withLock { state in
            let previous = state.lastWrite
            state.lastWrite = Task {
                await previous?.value
                do {
                    try await operation(store)
                } catch {
                    logger.error("cannot store the invited rooms; a restart may rejoin or forget a room wrongly", metadata: [
                        "error": "\(error)",
                    ])
                }
            }
        }
    }
}
