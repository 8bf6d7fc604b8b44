import Testing
import TocsinCore

@Suite struct AuthorizationPolicyTests {
    typealias F = Fixtures
    let aliceActor = Actor(email: "alice@example.org")
    let mapped: [ChatIdentity: String] = [Fixtures.alice: "alice@example.org", Fixtures.bob: "bob@example.org"]
    static let writeCommands = CommandName.allCases.filter(\.isWrite)
    static let readCommands = CommandName.allCases.filter { !$0.isWrite }

    @Test func writeAndReadCommandsAreClassified() {
        #expect(Set(Self.writeCommands) == [.ack, .resolve, .note, .trigger, .reassign, .escalate, .snooze, .subscribe, .unsubscribe])
        #expect(Set(Self.readCommands) == [.incidents, .incident, .oncall, .whoami, .help, .leave, .web, .postmortem, .subscriptions])
    }

    @Test(arguments: readCommands)
    func readCommandsNeedNoIdentity(_ command: CommandName) {
        let policy = AuthorizationPolicy(identities: mapped)
        #expect(policy.decide(command, for: F.message("x", identity: nil)) == .allowed(actor: nil))
    }

    @Test func readCommandsCarryTheActorWhenKnown() {
        let policy = AuthorizationPolicy(identities: mapped)
        #expect(policy.decide(.whoami, for: F.message("x")) == .allowed(actor: aliceActor))
    }

    @Test(arguments: writeCommands)
    func nickAloneNeverAuthorizesWrite(_ command: CommandName) {
        // The sender's nick is "alice", the very name of a mapped account: it must not count.
        let policy = AuthorizationPolicy(identities: mapped)
        let decision = policy.decide(command, for: F.message("x", from: "alice", identity: nil))
        #expect(decision == .denied(
            "alice: !\(command.rawValue) needs a verified identity: you are not identified to services — log in (SASL or NickServ) and try again"))
    }

    @Test func identityUnavailableReasonIsSurfaced() {
        let policy = AuthorizationPolicy(identities: mapped)
        let message = F.message("x", from: "bob", identity: nil,
                                identityUnavailableReason: "this room is anonymous, so your JID is hidden")
        #expect(policy.decide(.resolve, for: message) == .denied(
            "bob: !resolve needs a verified identity: this room is anonymous, so your JID is hidden"))
    }

    @Test func unmappedIdentityIsToldToAskForAnIdentitiesEntry() {
        let stranger = ChatIdentity.irc(network: F.network, account: "mallory")
        let policy = AuthorizationPolicy(identities: mapped)
        guard case .denied(let reason) = policy.decide(.ack, for: F.message("x", identity: stranger)) else {
            Issue.record("an unmapped identity must not write")
            return
        }
        #expect(reason.hasPrefix("irc:libera/mallory is not mapped to an incident-platform user"))
        #expect(reason.contains("identities:"))
    }

    @Test func mappedIdentityWritesAsItsEmail() {
        let policy = AuthorizationPolicy(identities: mapped)
        #expect(policy.decide(.ack, for: F.message("x")) == .allowed(actor: aliceActor))
        #expect(policy.decide(.trigger, for: F.message("x", identity: F.bob)) == .allowed(actor: Actor(email: "bob@example.org")))
    }

    @Test func identityLookupIgnoresAccountCase() {
        let policy = AuthorizationPolicy(identities: [.irc(network: F.network, account: "Alice"): "alice@example.org"])
        let shouting = ChatIdentity.irc(network: F.network, account: "ALICE")
        #expect(policy.decide(.ack, for: F.message("x", identity: shouting)) == .allowed(actor: aliceActor))
    }

    @Test func onlyListedWritersMayWrite() {
        let room = RoomPolicy(writers: .only([F.alice]))
        let policy = AuthorizationPolicy(rooms: [F.ops: room], identities: mapped)
        #expect(policy.decide(.ack, for: F.message("x", identity: F.alice)) == .allowed(actor: aliceActor))
        #expect(policy.decide(.ack, for: F.message("x", identity: F.bob)) == .denied("irc:libera/bob may not run !ack here"))
        // Reading stays open to everyone in the room.
        #expect(policy.decide(.incidents, for: F.message("x", identity: F.bob)) == .allowed(actor: Actor(email: "bob@example.org")))
    }

    @Test func listedWriterStillNeedsAMapping() {
        let carol = ChatIdentity.xmpp("carol@example.org")
        let policy = AuthorizationPolicy(rooms: [F.ops: RoomPolicy(writers: .only([carol]))], identities: mapped)
        guard case .denied(let reason) = policy.decide(.note, for: F.message("x", identity: carol)) else {
            Issue.record("carol has no incident-platform user to act as")
            return
        }
        #expect(reason.contains("identities:"))
    }

    @Test func readOnlyRoomRefusesEveryWrite() {
        let policy = AuthorizationPolicy(rooms: [F.ops: RoomPolicy(writers: .nobody)], identities: mapped)
        for command in Self.writeCommands {
            #expect(policy.decide(command, for: F.message("x")) == .denied("!\(command.rawValue) is read-only here"))
        }
        #expect(policy.decide(.incident, for: F.message("x")) == .allowed(actor: aliceActor))
    }

    @Test func readOnlyRoomDoesNotSendUnidentifiedPeopleToLogIn() {
        let policy = AuthorizationPolicy(rooms: [F.ops: RoomPolicy(writers: .nobody)], identities: mapped)
        #expect(policy.decide(.ack, for: F.message("x", identity: nil)) == .denied("!ack is read-only here"))
    }

    @Test func roomCommandListLimitsWhatRuns() {
        let room = RoomPolicy(allowedCommands: [.incidents, .ack])
        let policy = AuthorizationPolicy(rooms: [F.ops: room], identities: mapped)
        #expect(policy.decide(.ack, for: F.message("x")) == .allowed(actor: aliceActor))
        #expect(policy.decide(.incidents, for: F.message("x")) == .allowed(actor: aliceActor))
        #expect(policy.decide(.resolve, for: F.message("x")) == .denied("!resolve is not enabled here"))
        #expect(policy.decide(.oncall, for: F.message("x", identity: nil)) == .denied("!oncall is not enabled here"))
    }

    @Test func helpIsAlwaysEnabled() {
        let policy = AuthorizationPolicy(rooms: [F.ops: RoomPolicy(allowedCommands: [])])
        #expect(policy.decide(.help, for: F.message("x", identity: nil)) == .allowed(actor: nil))
        #expect(policy.decide(.whoami, for: F.message("x", identity: nil)) == .denied("!whoami is not enabled here"))
    }

    @Test func refusalsNameTheConfiguredPrefix() {
        let policy = AuthorizationPolicy(rooms: [F.ops: RoomPolicy(allowedCommands: [])])
        #expect(policy.decide(.ack, for: F.message("x"), prefix: ".") == .denied(".ack is not enabled here"))
    }

    @Test func unlistedRoomsGetTheDefaultPolicy() {
        let policy = AuthorizationPolicy(
            rooms: [F.ops: RoomPolicy()], defaultRoomPolicy: RoomPolicy(allowedCommands: [.incidents]), identities: mapped)
        let invited = F.message("x", in: .room("#random", on: F.network))
        #expect(policy.decide(.ack, for: invited) == .denied("!ack is not enabled here"))
        #expect(policy.decide(.ack, for: F.message("x")) == .allowed(actor: aliceActor))
        #expect(policy.policy(for: .room("#random", on: F.network)) == RoomPolicy(allowedCommands: [.incidents]))
    }

    @Test func roomNamesMatchWhateverTheirCase() {
        let policy = AuthorizationPolicy(
            rooms: [.room("#Ops", on: F.network): RoomPolicy(writers: .nobody)], identities: mapped)
        #expect(policy.decide(.ack, for: F.message("x", in: .room("#OPS", on: F.network))) == .denied("!ack is read-only here"))
        #expect(policy.decide(.ack, for: F.message("x", in: .room("#ops", on: F.network))) == .denied("!ack is read-only here"))
    }

    @Test func sameRoomNameOnAnotherNetworkIsAnotherRoom() {
        let policy = AuthorizationPolicy(rooms: [F.ops: RoomPolicy(writers: .nobody)], identities: mapped)
        let elsewhere = F.message("x", in: .room("#ops", on: "oftc"))
        #expect(policy.decide(.ack, for: elsewhere) == .allowed(actor: aliceActor))
    }

    @Test func directMessagesHaveTheirOwnPolicy() {
        let policy = AuthorizationPolicy(
            defaultRoomPolicy: RoomPolicy(), directMessagePolicy: RoomPolicy(allowedCommands: [.whoami, .incidents], writers: .nobody),
            identities: mapped)
        #expect(policy.decide(.ack, for: F.direct("x")) == .denied("!ack is not enabled here"))
        #expect(policy.decide(.incidents, for: F.direct("x")) == .allowed(actor: aliceActor))
        #expect(policy.decide(.ack, for: F.message("x")) == .allowed(actor: aliceActor))
    }

    @Test func directMessagesDoNotPickUpARoomPolicyOfTheSameName() {
        let peer = ChatDestination(network: F.network, conversation: .direct("#ops"))
        let policy = AuthorizationPolicy(rooms: [F.ops: RoomPolicy(writers: .nobody)], identities: mapped)
        #expect(policy.policy(for: peer) == policy.directMessagePolicy)
    }

    @Test func actorIsNilWithoutIdentity() {
        let policy = AuthorizationPolicy(identities: mapped)
        #expect(policy.actor(for: nil) == nil)
        #expect(policy.actor(for: F.alice) == aliceActor)
        #expect(policy.actor(for: .xmpp("nobody@example.org")) == nil)
    }
}
