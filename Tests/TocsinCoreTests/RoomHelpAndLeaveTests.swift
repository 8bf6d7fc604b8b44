import Foundation
import Testing
import TocsinCore

/// `!help` answers for the room it is asked in; `!leave` is for the inviter or the room's writers;
/// the greeting says what runs here and what the room hears (issue 12).
@Suite struct RoomHelpAndLeaveTests {
    typealias F = Fixtures
    static let team = ChatDestination.room("#team", on: Fixtures.network)

    /// `#ops` configured (anyone mapped writes), invited rooms read-only (the configuration's
    /// default), alice invited the bot to `#team`.
    func setUp(defaultWriters: WriterRule = .nobody) -> (CommandHandler, RoomRegistry, RecordingRoomControl) {
        let policy = AuthorizationPolicy(rooms: [F.ops: RoomPolicy()], defaultRoomPolicy: RoomPolicy(writers: defaultWriters),
                                         identities: [F.alice: "alice@example.org", F.bob: "bob@example.org"])
        let rooms = RoomRegistry(
            settings: RoomRegistry.Settings(invitePolicies: [F.network: InvitePolicy(accept: true, roomPatterns: ["*"])],
                                            configuredRooms: [F.ops]),
            store: nil, send: { _ in })
        let control = RecordingRoomControl(network: F.network)
        rooms.attach([control])
        _ = rooms.decide(RoomInvitation(network: F.network, room: "#team", inviter: F.alice, inviterName: "alice", answerTo: nil))
        var handler = CommandHandler(parser: CommandParser(), policy: policy, service: FakeIncidentService())
        handler.rooms = rooms
        return (handler, rooms, control)
    }

    /// The reply's words, without the "alice: " a reply may start with (a highlight, not content).
    func say(_ text: String, in room: ChatDestination = team, identity: ChatIdentity? = Fixtures.alice, _ handler: CommandHandler) async -> String? {
        guard let reply = await handler.handle(F.message(text, in: room, identity: identity))?.plainText else { return nil }
        return reply.hasPrefix("alice: ") ? String(reply.dropFirst("alice: ".count)) : reply
    }

    @Test func helpDiffersBetweenAConfiguredAndAnInvitedRoom() async {
        let (handler, _, _) = setUp()
        let ops = await say("!help", in: F.ops, handler)
        let team = await say("!help", handler)
        #expect(ops?.hasPrefix("Commands: !ack !resolve") == true)
        #expect(ops?.contains("off here") == false)
        #expect(team?.hasPrefix("Commands: !incidents !incident !oncall !whoami !help !leave") == true)
        #expect(team?.contains("off here: !ack !resolve !note !trigger !reassign !escalate !snooze") == true)
        #expect(team?.contains(", this room is read-only (invited rooms are read-only unless default_room_policy.writers)") == true)
    }

    @Test func helpOnACommandThatIsOffHereSaysWhy() async {
        let (handler, _, _) = setUp()
        #expect(await say("!help ack", handler)
            == "!ack is off here: this room is read-only (invited rooms are read-only unless default_room_policy.writers)")
        let ack = await say("!help ack", in: F.ops, handler)
        #expect(ack?.hasPrefix("!ack ") == true)
        #expect(ack?.hasSuffix("(needs a verified, mapped identity)") == true)
        #expect(await say("!help leave", in: F.ops, handler)
            == "!leave is off here: #ops is a configured room: remove it from the configuration to make the bot leave")
    }

    @Test func helpFollowsDefaultRoomPolicyWritersWhenSet() async {
        let (handler, _, _) = setUp(defaultWriters: .anyMapped)
        #expect(await say("!help", handler)?.contains("off here") == false)
        #expect(await say("!help ack", handler)?.contains("is off here") == false)
    }

    @Test func theInviterMayMakeTheBotLeave() async {
        let (handler, rooms, control) = setUp()
        let response = await handler.respond(to: F.message("!leave", in: Self.team, identity: F.alice))
        #expect(response?.outcome == .ok)
        // Nothing is queued for a room being left: the part carries the words.
        #expect(response?.committed == [])
        #expect(control.left.withLock { $0 } == ["#team: Leaving on !leave by alice — invite me again to bring me back"])
        #expect(rooms.kind(of: Self.team) == .other)
    }

    @Test func someoneElseInAReadOnlyRoomMayNot() async {
        let (handler, _, control) = setUp()
        #expect(await say("!leave", identity: F.bob, handler)
            == "Refused: only alice (who invited the bot) or this room's writers may make it leave")
        #expect(await say("!leave", identity: nil, handler)?.contains("needs a verified identity") == true)
        #expect(control.left.withLock { $0 }.isEmpty)
    }

    @Test func aWriterOfTheRoomMayToo() async {
        let (handler, _, control) = setUp(defaultWriters: .only([F.bob]))
        _ = await say("!leave", identity: F.bob, handler)
        #expect(control.left.withLock { $0 }.count == 1)
    }

    @Test func aConfiguredRoomIsNotLeftFromChat() async {
        let (handler, _, control) = setUp()
        #expect(await say("!leave", in: F.ops, handler)
            == "Refused: #ops is a configured room: remove it from the configuration to make the bot leave")
        #expect(control.left.withLock { $0 }.isEmpty)
    }

    @Test func theGreetingSaysWhatRunsAndWhatTheRoomHears() {
        let policy = AuthorizationPolicy(defaultRoomPolicy: RoomPolicy(writers: .nobody))
        let router = Router(rules: [RouteRule(destination: Self.team, services: ["api"], urgencies: [.high])])
        let room = InvitedRoom(destination: Self.team, inviter: F.alice, inviterName: "alice", invitedAt: F.epoch)
        let greeter = RoomGreeter(policy: policy, supported: Set(CommandName.allCases), backendName: "the embedded store",
                                  prefix: "!", router: router)
        let text = greeter.greeting(for: room)
        #expect(text.lines.count == 1)
        #expect(text.plainText.contains("invited by alice"))
        #expect(text.plainText.contains("!incidents"))
        #expect(text.plainText.contains("!ack and other changes are off: this room is read-only"))
        #expect(text.plainText.contains("Subscribed to: service api, urgency high"))
        #expect(text.plainText.contains("!subscribe SERVICE|team:TEAM|all"))
        let unsubscribed = RoomGreeter(policy: policy, supported: [], backendName: "x", prefix: "!", router: Router(rules: []))
        #expect(unsubscribed.greeting(for: room).plainText.contains("Subscribed to: nothing yet"))
    }
}
