import Synchronization
import Testing
import TocsinCore
import XMPP
@testable import XMPPClient

extension Array where Element == XMPPSession.Action {
    var roomEvents: [RoomEvent] {
        compactMap { if case .room(let event) = $0 { event } else { nil } }
    }
}

/// Rooms joined on invitation: decided by the core, forgotten on a kick, left on `!leave`, and
/// health that does not stay degraded for a room the bot no longer wants (issue 12).
@Suite struct XMPPInvitedRoomLifecycleTests {
    static let team = try! JID("team@conference.localhost")
    let invite = "<message from='alice@localhost/phone' to='user@localhost/tocsin'><x xmlns='jabber:x:conference' jid='team@conference.localhost'/></message>"

    func kick(_ room: JID = team) -> String {
        "<presence from='\(room)/Tocsin' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'><item role='none'><reason>out</reason></item><status code='307'/><status code='110'/></x></presence>"
    }

    /// A session in `ops` (configured) and `team` (invited, joined).
    func invitedHarness(rejoinAfterKick: Duration? = .seconds(5)) -> SessionHarness {
        var harness = SessionHarness(invites: InvitePolicy(accept: true, roomPatterns: ["*@conference.localhost"]),
                                     rejoinAfterKick: rejoinAfterKick)
        harness.establish()
        _ = harness.joinRoom()
        _ = harness.feed(invite)
        _ = harness.joinRoom(Self.team)
        return harness
    }

    @Test func theCoreDecidesWithTheSenderAsTheOneToAnswer() {
        let asked = Mutex<[RoomInvitation]>([])
        var harness = SessionHarness(invites: InvitePolicy(accept: true, roomPatterns: ["*"]))
        harness.session.invitationDecider = { invitation in
            asked.withLock { $0.append(invitation) }
            return .refuse(reason: "it is already in 20 rooms by invitation")
        }
        harness.establish()
        #expect(harness.feed(invite).elements(named: "presence").isEmpty)
        let invitation = asked.withLock { $0 }.first
        #expect(invitation?.inviter == .xmpp("alice@localhost"))
        #expect(invitation?.answerTo == ChatDestination(network: "xmpp-test", conversation: .direct("alice@localhost")))
        #expect(harness.logs.contains { $0.metadata["reason"] == "it is already in 20 rooms by invitation" })
    }

    @Test func joiningAnInvitedRoomIsReported() {
        var harness = SessionHarness(invites: InvitePolicy(accept: true, roomPatterns: ["*@conference.localhost"]))
        harness.establish()
        _ = harness.feed(invite)
        #expect(harness.joinRoom(Self.team).roomEvents == [.joined(.room("team@conference.localhost", on: "xmpp-test"))])
    }

    @Test func aKickFromAnInvitedRoomForgetsItAndHealthStaysClean() {
        var harness = invitedHarness(rejoinAfterKick: .seconds(5))
        let kicked = harness.feed(kick())
        #expect(kicked.roomEvents == [.removed(.room("team@conference.localhost", on: "xmpp-test"), reason: "kicked: out")])
        #expect(harness.session.rooms[Self.team] == nil)
        #expect(harness.session.roomSummary.allSatisfy { $0.joined })
        harness.advance(.seconds(60))
        #expect(harness.tick().elements(named: "presence").isEmpty)
    }

    @Test func aConfiguredRoomKickedWithoutRejoinDoesNotKeepHealthDegraded() {
        var harness = invitedHarness(rejoinAfterKick: nil)
        #expect(harness.feed(kick(SessionHarness.roomJID)).roomEvents.isEmpty)
        #expect(!harness.session.roomSummary.map(\.room).contains("ops@conference.localhost"))
        #expect(harness.session.roomSummary.allSatisfy { $0.joined })
    }

    @Test func aConfiguredRoomWaitingToRejoinStillShowsAsMissing() {
        var harness = invitedHarness(rejoinAfterKick: .seconds(5))
        _ = harness.feed(kick(SessionHarness.roomJID))
        #expect(harness.session.roomSummary.contains { $0.room == "ops@conference.localhost" && !$0.joined })
    }

    @Test func leaveSendsUnavailableWithTheReasonAndForgets() {
        var harness = invitedHarness()
        let out = harness.session.leave(room: Self.team, reason: "Leaving on !leave by alice", now: harness.now)
        #expect(out.elements(named: "presence").map(\.wire) == [
            "<presence to='team@conference.localhost/Tocsin' type='unavailable'><status>Leaving on !leave by alice</status></presence>",
        ])
        #expect(harness.session.rooms[Self.team] == nil)
        // The room's answer to our leaving is not a removal.
        #expect(harness.feed("<presence from='team@conference.localhost/Tocsin' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'><item role='none'/><status code='110'/></x></presence>").roomEvents.isEmpty)
    }

    @Test func anInvitedRoomThatNoLongerExistsIsNotRecreated() {
        var harness = SessionHarness(invites: InvitePolicy(accept: true, roomPatterns: ["*@conference.localhost"]))
        harness.session.restoreInvitedRooms([Self.team])
        harness.establish()
        let created = harness.feed("""
            <presence from='team@conference.localhost/Tocsin'><x xmlns='http://jabber.org/protocol/muc#user'>\
            <item affiliation='owner' role='moderator'/><status code='201'/><status code='110'/></x></presence>
            """)
        #expect(created.elements(named: "presence").first?[attribute: "type"] == "unavailable")
        #expect(created.elements(named: "iq").isEmpty)  // no instant-room configuration
        #expect(created.roomEvents.contains { if case .removed = $0 { true } else { false } })
        #expect(harness.session.rooms[Self.team] == nil)
    }

    @Test func restoredInvitedRoomsAreJoinedWithTheSession() {
        var harness = SessionHarness()
        harness.session.restoreInvitedRooms([Self.team])
        let joins = harness.establish().elements(named: "presence").compactMap { $0[attribute: "to"] }
        #expect(joins == ["ops@conference.localhost/Tocsin", "team@conference.localhost/Tocsin"])
    }
}
