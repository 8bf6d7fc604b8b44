import Foundation
import Synchronization
import Testing
import TocsinCore

/// An in-memory ``InvitedRoomStore`` that records what was written, in order.
final class MemoryInvitedRoomStore: InvitedRoomStore, Sendable {
    let rooms: Mutex<[ChatDestination: InvitedRoom]>
    let writes = Mutex<[String]>([])

    init(_ rooms: [InvitedRoom] = []) {
        self.rooms = Mutex(Dictionary(rooms.map { ($0.destination.folded, $0) }, uniquingKeysWith: { a, _ in a }))
    }

    func loadInvitedRooms() async throws -> [InvitedRoom] { rooms.withLock { Array($0.values) } }

    func save(_ room: InvitedRoom) async throws {
        rooms.withLock { $0[room.destination.folded] = room }
        writes.withLock { $0.append("save \(room.destination)") }
    }

    func forget(_ destination: ChatDestination) async throws {
        rooms.withLock { $0[destination.folded] = nil }
        writes.withLock { $0.append("forget \(destination)") }
    }
}

/// Lines the registry stored in the outbox.
final class SentLines: Sendable {
    let lines = Mutex<[OutboxMessage]>([])
    var all: [OutboxMessage] { lines.withLock { $0 } }
    func append(_ messages: [OutboxMessage]) { lines.withLock { $0 += messages } }
}

final class RecordingRoomControl: RoomControl, Sendable {
    let network: String
    let left = Mutex<[String]>([])
    init(network: String) { self.network = network }
    func leave(room: String, reason: String) async { left.withLock { $0.append("\(room): \(reason)") } }
}

@Suite struct RoomRegistryTests {
    typealias F = Fixtures
    static let team = ChatDestination.room("#team", on: Fixtures.network)

    static func invitation(_ room: String = "#team", inviter: ChatIdentity? = Fixtures.alice, nick: String = "alice",
                           network: String = Fixtures.network) -> RoomInvitation {
        RoomInvitation(network: network, room: room, inviter: inviter, inviterName: nick,
                       answerTo: ChatDestination(network: network, conversation: .direct(nick)))
    }

    func registry(
        policy: InvitePolicy = InvitePolicy(accept: true, roomPatterns: ["#team*"]), maximum: Int? = nil,
        store: MemoryInvitedRoomStore = MemoryInvitedRoomStore(), sent: SentLines = SentLines()
    ) -> RoomRegistry {
        RoomRegistry(
            settings: RoomRegistry.Settings(invitePolicies: [F.network: policy], maximumRooms: maximum.map { [F.network: $0] } ?? [:],
                                            configuredRooms: [F.ops]),
            store: store, send: { sent.append($0) }, greeting: { RichText(plain: "hello \($0.room) from \($0.inviterName)") })
    }

    @Test func anAcceptedInvitationIsStoredAndOffered() async {
        let store = MemoryInvitedRoomStore()
        let rooms = registry(store: store)
        #expect(rooms.decide(Self.invitation()) == .accept)
        await rooms.flush()
        #expect(store.rooms.withLock { $0[Self.team]?.inviter } == F.alice)
        #expect(rooms.invitedRooms(on: F.network).map(\.room) == ["#team"])
        #expect(rooms.kind(of: Self.team) == .invited)
    }

    @Test func storedRoomsAreOfferedAfterARestartAndNotGreetedAgain() async throws {
        let stored = InvitedRoom(destination: Self.team, inviter: F.alice, inviterName: "alice", invitedAt: F.epoch)
        let sent = SentLines()
        let rooms = registry(store: MemoryInvitedRoomStore([stored]), sent: sent)
        try await rooms.load()
        #expect(rooms.invitedRooms(on: F.network) == [stored])
        rooms.roomEvent(.joined(Self.team))
        try await Task.sleep(for: .milliseconds(50))
        #expect(sent.all.isEmpty)
    }

    @Test func theCapRefusesTheNextRoomAndSaysWhy() async {
        let sent = SentLines()
        let rooms = registry(maximum: 2, sent: sent)
        #expect(rooms.decide(Self.invitation("#team-1")) == .accept)
        #expect(rooms.decide(Self.invitation("#team-2")) == .accept)
        guard case .refuse(let reason) = rooms.decide(Self.invitation("#team-3")) else {
            Issue.record("the third room must be refused"); return
        }
        #expect(reason.contains("invites.max_rooms"))
        // A room already held is not counted twice (a second invitation, a rejoin).
        #expect(rooms.decide(Self.invitation("#TEAM-1")) == .accept)
        #expect(await eventually { sent.all.count == 1 })
        #expect(sent.all.first?.destination == ChatDestination(network: F.network, conversation: .direct("alice")))
        #expect(sent.all.first?.text.plainText.contains("Not joining #team-3") == true)
    }

    @Test func aCapOfZeroRefusesEveryInvitation() {
        #expect(!registry(maximum: 0).decide(Self.invitation()).isAccepted)
    }

    @Test func refusalsAreAnsweredOncePerInviterAndAtMostFivePerNetwork() async throws {
        let sent = SentLines()
        let rooms = registry(policy: InvitePolicy(accept: true, roomPatterns: []), sent: sent)
        for _ in 0..<5 { _ = rooms.decide(Self.invitation(nick: "mallory")) }
        for index in 0..<10 { _ = rooms.decide(Self.invitation(nick: "clone\(index)")) }
        try await Task.sleep(for: .milliseconds(100))
        let answered = sent.all.compactMap { if case .direct(let nick) = $0.destination.conversation { nick } else { nil } }
        #expect(answered.filter { $0 == "mallory" }.count == 1)
        #expect(answered.count == 5)
    }

    @Test func anInvitationWithoutAProvenSenderIsNotAnswered() async throws {
        let sent = SentLines()
        let rooms = registry(policy: InvitePolicy(accept: false), sent: sent)
        var invitation = Self.invitation()
        invitation.answerTo = nil
        #expect(!rooms.decide(invitation).isAccepted)
        try await Task.sleep(for: .milliseconds(50))
        #expect(sent.all.isEmpty)
    }

    @Test func refusalReasonsNameTheRuleThatFailed() {
        let listed = InvitePolicy(accept: true, roomPatterns: ["#team*"], inviters: [F.alice])
        func reason(_ policy: InvitePolicy, room: String = "#team", inviter: ChatIdentity? = F.alice) -> String? {
            if case .refuse(let reason) = policy.decide(room: room, inviter: inviter, invitedRooms: 0, maximumRooms: 20) { return reason }
            return nil
        }
        #expect(reason(InvitePolicy(accept: false))?.contains("invites.accept") == true)
        #expect(reason(listed, room: "#random")?.contains("invites.rooms") == true)
        #expect(reason(listed, inviter: nil)?.contains("not verified") == true)
        #expect(reason(listed, inviter: F.bob)?.contains("invites.inviters") == true)
        #expect(reason(listed) == nil)
    }

    @Test func theFirstJoinAfterAnInvitationGreetsOnce() async {
        let sent = SentLines()
        let rooms = registry(sent: sent)
        _ = rooms.decide(Self.invitation())
        rooms.roomEvent(.joined(.room("#TEAM", on: F.network)))
        rooms.roomEvent(.joined(Self.team))
        #expect(await eventually { sent.all.count == 1 })
        try? await Task.sleep(for: .milliseconds(50))
        #expect(sent.all.map(\.text.plainText) == ["hello #team from alice"])
        #expect(sent.all.first?.destination == .room("#TEAM", on: F.network))
    }

    @Test func aRemovalForgetsAnInvitedRoomInOrderButNeverAConfiguredOne() async {
        let store = MemoryInvitedRoomStore()
        let rooms = registry(store: store)
        _ = rooms.decide(Self.invitation())
        rooms.roomEvent(.removed(Self.team, reason: "kicked by op"))
        rooms.roomEvent(.removed(F.ops, reason: "kicked by op"))
        await rooms.flush()
        #expect(store.writes.withLock { $0 } == ["save libera/#team", "forget libera/#team"])
        #expect(rooms.invitedRooms(on: F.network).isEmpty)
        #expect(rooms.kind(of: F.ops) == .configured)
    }

    @Test func aForgottenRoomIsReportedOnceSoItsSubscriptionsCanGo() async {
        let forgotten = Mutex<[ChatDestination]>([])
        let rooms = registry()
        rooms.setOnForget { destination in forgotten.withLock { $0.append(destination) } }
        _ = rooms.decide(Self.invitation())
        rooms.roomEvent(.removed(Self.team, reason: "kicked"))
        rooms.roomEvent(.removed(Self.team, reason: "kicked again"))
        rooms.roomEvent(.removed(F.ops, reason: "kicked"))
        #expect(await eventually { forgotten.withLock { $0 } == [Self.team] })
        try? await Task.sleep(for: .milliseconds(50))
        #expect(forgotten.withLock { $0 } == [Self.team])
    }

    @Test func leaveForgetsAndAsksTheTransport() async {
        let control = RecordingRoomControl(network: F.network)
        let rooms = registry()
        rooms.attach([control])
        _ = rooms.decide(Self.invitation())
        #expect(await rooms.leave(Self.team, reason: "bye"))
        #expect(control.left.withLock { $0 } == ["#team: bye"])
        #expect(await !rooms.leave(Self.team, reason: "bye"))
        #expect(await !rooms.leave(F.ops, reason: "bye"))
    }

    @Test func anInvitationToAConfiguredRoomIsFollowedWithoutBeingStored() async {
        let store = MemoryInvitedRoomStore()
        let rooms = registry(policy: InvitePolicy(accept: false), store: store)
        #expect(rooms.decide(Self.invitation("#ops")) == .accept)
        await rooms.flush()
        #expect(store.writes.withLock { $0 }.isEmpty)
    }
}
