import IRC
import Synchronization
import Testing
import TocsinCore
@testable import IRCClient

extension Array where Element == IRCClientStateMachine.Action {
    var roomEvents: [RoomEvent] {
        compactMap { if case .room(let event) = $0 { event } else { nil } }
    }
}

/// Invitations decided by the core, kicks and parts from invited rooms, `!leave`, and channel
/// status the bot did not ask for (issue 12).
@Suite("Client state machine: invited rooms")
struct InvitedRoomLifecycleTests {
    let anyRoom = InvitePolicy(accept: true, roomPatterns: ["#team-*"])

    /// An invited room, joined: the session as the gateway would have it after `/invite`.
    func invitedSession(rejoinAfterKick: Duration? = .seconds(2)) -> Session {
        var s = Session(config(invites: anyRoom, rejoinAfterKick: rejoinAfterKick))
        _ = s.receive("@account=alice :alice!a@h INVITE tocsin #team-a")
        _ = s.receive(":tocsin!~tocsin@bot.example.org JOIN #team-a")
        return s
    }

    @Test func theCoreDecidesAndItsRefusalIsNotFollowed() {
        let asked = Mutex<[RoomInvitation]>([])
        var s = Session(config(invites: anyRoom))
        s.machine.invitationDecider = { invitation in
            asked.withLock { $0.append(invitation) }
            return .refuse(reason: "it is already in 20 rooms by invitation")
        }
        let out = s.receive("@account=alice :alice!a@h INVITE tocsin #team-a")
        #expect(out.written.isEmpty)
        #expect(out.logText.contains("already in 20 rooms"))
        let invitation = asked.withLock { $0 }.first
        #expect(invitation?.inviter == .irc(network: "libera", account: "alice"))
        // The answer can only go to the server-stamped sender of the INVITE.
        #expect(invitation?.answerTo == ChatDestination(network: "libera", conversation: .direct("alice")))
    }

    @Test func anAcceptedInvitationJoinsAndTheJoinIsReported() {
        var s = Session(config(invites: InvitePolicy()))
        s.machine.invitationDecider = { _ in .accept }
        #expect(s.receive(":alice!a@h INVITE tocsin #team-a").written == ["JOIN #team-a"])
        let joined = s.receive(":tocsin!~tocsin@bot.example.org JOIN #team-a")
        #expect(joined.roomEvents == [.joined(.room("#team-a", on: "libera"))])
    }

    @Test func aKickFromAnInvitedRoomForgetsItEvenWithARejoinDelay() {
        var s = invitedSession(rejoinAfterKick: .seconds(2))
        let kicked = s.receive(":op!o@h KICK #team-a tocsin :not here")
        #expect(kicked.roomEvents == [.removed(.room("#team-a", on: "libera"), reason: "kicked by op: not here")])
        #expect(s.machine.rooms.room("#team-a") == nil)
        #expect(s.machine.rooms.invitedRooms.isEmpty)
        #expect(s.machine.rooms.missingRooms.isEmpty)
        #expect(!s.tick(after: .seconds(60)).written.contains { $0.hasPrefix("JOIN") })
    }

    @Test func aKickFromAConfiguredRoomStillRejoins() {
        var s = invitedSession(rejoinAfterKick: .seconds(2))
        #expect(s.receive(":op!o@h KICK #ops tocsin :spam").roomEvents.isEmpty)
        #expect(s.tick(after: .seconds(2)).written == ["JOIN #ops"])
    }

    @Test func aPartTheBotDidNotAskForForgetsAnInvitedRoom() {
        var s = invitedSession()
        let parted = s.receive(":tocsin!~tocsin@bot.example.org PART #team-a :SAPART")
        #expect(parted.roomEvents.count == 1)
        #expect(s.machine.rooms.room("#team-a") == nil)
    }

    @Test func leavePartsWithTheReasonAndForgets() {
        var s = invitedSession()
        let out = s.machine.leave("#Team-A", reason: "Leaving on !leave by alice", now: s.clock.now)
        #expect(out.written == ["PART #team-a :Leaving on !leave by alice"])
        #expect(s.machine.rooms.room("#team-a") == nil)
        // The server's echo of our PART is not a removal to report.
        #expect(s.receive(":tocsin!~tocsin@bot.example.org PART #team-a :Leaving").roomEvents.isEmpty)
        #expect(!s.tick(after: .seconds(120)).written.contains { $0.hasPrefix("JOIN") })
    }

    @Test func operatorStatusGivenInAnInvitedRoomIsGivenBack() {
        var s = invitedSession()
        #expect(s.receive(":ChanServ!s@services MODE #team-a +o tocsin").written == ["MODE #team-a -o tocsin"])
    }

    @Test func statusAmongOtherModesIsFoundByItsArgument() {
        var s = Session(config(invites: anyRoom), isupport: "CASEMAPPING=rfc1459 CHANTYPES=# PREFIX=(qaohv)~&@%+ CHANMODES=beI,k,l,imnpst")
        _ = s.receive("@account=alice :alice!a@h INVITE tocsin #team-a")
        _ = s.receive(":tocsin!~tocsin@bot.example.org JOIN #team-a")
        // +b takes a mask, +l a number, +v bob; +h and +o are ours.
        let out = s.receive(":op!o@h MODE #team-a +blhov *!*@spam 10 tocsin tocsin bob")
        #expect(out.written == ["MODE #team-a -ho tocsin tocsin"])
        #expect(s.receive(":op!o@h MODE #team-a +v tocsin").written.isEmpty)
        #expect(s.receive(":op!o@h MODE #team-a +o bob").written.isEmpty)
    }

    @Test func theOperatorStatusOfAChannelTheJoinCreatedIsGivenBack() {
        var s = Session(config(invites: InvitePolicy()), joinRooms: true)
        var restarted = IRCClientStateMachine(configuration: s.machine.configuration, invitedRooms: [.init(name: "#team-a")], now: s.clock.now)
        _ = restarted.connectionEstablished(now: s.clock.now)
        _ = restarted.receive(line(":srv CAP * LS :"), now: s.clock.now)
        _ = restarted.receive(line(":srv 001 tocsin :Welcome"), now: s.clock.now)
        _ = restarted.receive(line(":srv 376 tocsin :End"), now: s.clock.now)
        _ = restarted.receive(line(":tocsin!~tocsin@h JOIN #team-a"), now: s.clock.now)
        let names = restarted.receive(line(":srv 353 tocsin = #team-a :@tocsin"), now: s.clock.now)
        #expect(names.written == ["MODE #team-a -o tocsin"])
        s.machine = restarted
    }

    @Test func operatorStatusInAConfiguredRoomIsKept() {
        var s = invitedSession()
        #expect(s.receive(":ChanServ!s@services MODE #ops +o tocsin").written.isEmpty)
        #expect(s.receive(":srv 353 tocsin = #ops :@tocsin alice").written.isEmpty)
    }
}
