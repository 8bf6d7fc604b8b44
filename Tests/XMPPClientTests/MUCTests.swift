import Testing
import TocsinCore
import XMPP
@testable import XMPPClient

/// XEP-0045 room handling: join, self-presence, nickname conflicts, kicks, bans, self-pings.
@Suite struct MUCTests {
    let room = SessionHarness.roomJID

    @Test func joinAsksForNoHistoryAndSendsThePassword() throws {
        var harness = SessionHarness(rooms: [.init(jid: SessionHarness.roomJID, password: "s3cret & <x>")])
        let actions = harness.establish()
        let joins = actions.elements(named: "presence").filter { $0[attribute: "to"] != nil }
        #expect(joins.map(\.wire) == [
            "<presence to='ops@conference.localhost/Tocsin'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/><password>s3cret &amp; &lt;x&gt;</password></x></presence>",
        ])
        // Initial presence goes first (RFC 6121 §4.2).
        #expect(actions.elements(named: "presence").first?.wire == "<presence/>")
        #expect(harness.session.rooms[room]?.isJoining == true)
    }

    @Test func roomIsJoinedOnlyWithStatus110() {
        var harness = SessionHarness()
        harness.establish()
        // Another occupant's presence does not count as our join.
        _ = harness.occupant("alice", realJID: "alice@localhost/phone")
        #expect(harness.session.rooms[room]?.isJoined == false)
        let actions = harness.joinRoom()
        #expect(harness.session.rooms[room]?.isJoined == true)
        #expect(actions.contains(.ready))
    }

    @Test func nicknameConflictRetriesWithUnderscoreThenDigits() {
        var harness = SessionHarness()
        harness.establish()
        let conflict = "<presence from='ops@conference.localhost/%@' type='error'><x xmlns='http://jabber.org/protocol/muc'/><error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
        let first = harness.feed(conflict.replacingOccurrences(of: "%@", with: "Tocsin"))
        #expect(first.elements(named: "presence").first?[attribute: "to"] == "ops@conference.localhost/Tocsin_")
        let second = harness.feed(conflict.replacingOccurrences(of: "%@", with: "Tocsin_"))
        #expect(second.elements(named: "presence").first?[attribute: "to"] == "ops@conference.localhost/Tocsin_2")
        _ = harness.joinRoom(nick: "Tocsin_2")
        #expect(harness.session.rooms[room]?.nick == "Tocsin_2")
        #expect(harness.session.rooms[room]?.isJoined == true)
    }

    @Test func kickedRoomIsLeftAndRejoinedAfterTheDelay() {
        var harness = SessionHarness(rejoinAfterKick: .seconds(60))
        harness.establish()
        _ = harness.joinRoom()
        let kicked = harness.feed("""
            <presence from='ops@conference.localhost/Tocsin' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'>\
            <item affiliation='none' role='none'><reason>spam</reason></item><status code='307'/><status code='110'/></x></presence>
            """)
        #expect(kicked.isEmpty)
        #expect(harness.session.rooms[room]?.isJoined == false)
        if case .left(let reason, _)? = harness.session.rooms[room]?.status {
            #expect(reason.contains("kicked"))
        } else {
            Issue.record("expected left")
        }
        // Deliveries to the room are refused meanwhile.
        #expect(harness.session.deliver(outboxItem(1, to: .room("ops@conference.localhost")), token: 1, now: harness.now)
            == [.fail(1, .notInRoom(network: "xmpp-test", room: "ops@conference.localhost"))])

        harness.advance(.seconds(59))
        #expect(harness.tick().elements(named: "presence").isEmpty)
        harness.advance(.seconds(2))
        let rejoin = harness.tick().elements(named: "presence")
        #expect(rejoin.first?[attribute: "to"] == "ops@conference.localhost/Tocsin")
    }

    @Test func kickWithoutRejoinPolicyStaysOut() {
        var harness = SessionHarness(rejoinAfterKick: nil)
        harness.establish()
        _ = harness.joinRoom()
        _ = harness.feed("<presence from='ops@conference.localhost/Tocsin' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'><item role='none'/><status code='307'/><status code='110'/></x></presence>")
        harness.advance(.seconds(3600))
        #expect(harness.tick().elements(named: "presence").isEmpty)
    }

    @Test func bannedRoomIsNeverRejoined() {
        var harness = SessionHarness(rejoinAfterKick: .seconds(1))
        harness.establish()
        _ = harness.joinRoom()
        _ = harness.feed("<presence from='ops@conference.localhost/Tocsin' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='outcast' role='none'/><status code='301'/><status code='110'/></x></presence>")
        if case .banned? = harness.session.rooms[room]?.status {} else { Issue.record("expected banned") }
        harness.advance(.seconds(3600))
        #expect(harness.tick().elements(named: "presence").isEmpty)
        // Not even after a reconnection.
        _ = harness.session.connectionLost(now: harness.now)
        var fresh = SessionHarness(rejoinAfterKick: .seconds(1))
        fresh.session = harness.session
        let actions = fresh.establish(sm: false)
        #expect(actions.elements(named: "presence").filter { $0[attribute: "to"] != nil }.isEmpty)
    }

    @Test func destroyedRoomIsLeftAndRejoinedPerPolicy() {
        var harness = SessionHarness(rejoinAfterKick: .seconds(10))
        harness.establish()
        _ = harness.joinRoom()
        _ = harness.feed("<presence from='ops@conference.localhost/Tocsin' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'><item role='none'/><destroy><reason>moved</reason></destroy><status code='110'/></x></presence>")
        if case .left(let reason, let rejoinAt)? = harness.session.rooms[room]?.status {
            #expect(reason.contains("destroyed"))
            #expect(rejoinAt != nil)
        } else {
            Issue.record("expected left")
        }
    }

    @Test func joinRefusedAsBannedOrMembersOnly() {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.feed("<presence from='ops@conference.localhost/Tocsin' type='error'><error type='auth'><registration-required xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>")
        if case .refused(let reason, let retryAt)? = harness.session.rooms[room]?.status {
            #expect(reason.contains("members-only"))
            #expect(retryAt != nil)
        } else {
            Issue.record("expected refused")
        }
        var banned = SessionHarness()
        banned.establish()
        _ = banned.feed("<presence from='ops@conference.localhost/Tocsin' type='error'><error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>")
        if case .banned? = banned.session.rooms[room]?.status {} else { Issue.record("expected banned") }
    }

    @Test func selfPingNotAcceptableTriggersARejoin() throws {
        var harness = SessionHarness { $0.deadAfter = .seconds(1000) }
        harness.establish()
        _ = harness.joinRoom()
        harness.advance(.seconds(301))
        let ping = try #require(harness.tick().elements(named: "iq").first { $0[attribute: "to"] == "ops@conference.localhost/Tocsin" })
        #expect(ping.firstChild(named: "ping", namespace: XMPPNamespace.ping) != nil)
        let id = try #require(ping[attribute: "id"])
        let answer = harness.feed("<iq from='ops@conference.localhost/Tocsin' type='error' id='\(id)'><error type='cancel'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        #expect(answer.elements(named: "presence").first?[attribute: "to"] == "ops@conference.localhost/Tocsin")
        #expect(harness.session.rooms[room]?.isJoining == true)
    }

    @Test func selfPingResultKeepsTheRoom() throws {
        var harness = SessionHarness { $0.deadAfter = .seconds(1000) }
        harness.establish()
        _ = harness.joinRoom()
        harness.advance(.seconds(301))
        let ping = try #require(harness.tick().elements(named: "iq").first { $0[attribute: "to"] == "ops@conference.localhost/Tocsin" })
        let answer = harness.feed("<iq from='ops@conference.localhost/Tocsin' type='result' id='\(ping[attribute: "id"]!)'/>")
        #expect(answer.isEmpty)
        #expect(harness.session.rooms[room]?.isJoined == true)
    }

    @Test func newRoomIsUnlockedWithTheInstantConfiguration() {
        var harness = SessionHarness()
        harness.establish()
        let actions = harness.feed("<presence from='ops@conference.localhost/Tocsin'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator'/><status code='201'/><status code='110'/></x></presence>")
        let configure = actions.elements(named: "iq").first
        #expect(configure?[attribute: "type"] == "set")
        #expect(configure?.firstChild(named: "query", namespace: XMPPNamespace.mucOwner) != nil)
    }

    @Test func occupantNickChangesFollowTheRealJID() {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.occupant("alice", realJID: "alice@localhost/phone")
        _ = harness.joinRoom()
        _ = harness.feed("<presence from='ops@conference.localhost/alice' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'><item nick='al' jid='alice@localhost/phone'/><status code='303'/></x></presence>")
        let room = harness.session.rooms[room]
        #expect(room?.realJID(ofNick: "al") == (try? JID("alice@localhost")))
        #expect(room?.realJID(ofNick: "alice") == nil)
    }

    @Test func alternativeNicknames() {
        #expect(RoomDirectory.alternativeNick("Tocsin", attempt: 1) == "Tocsin_")
        #expect(RoomDirectory.alternativeNick("Tocsin", attempt: 2) == "Tocsin_2")
        #expect(RoomDirectory.alternativeNick("Tocsin", attempt: 9) == "Tocsin_9")
    }
}

@Suite struct RoomBounceTests {
    @Test func roomRefusingOurMessageTriggersARejoin() {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.joinRoom()
        let bounce = "<message from='ops@conference.localhost' type='error' id='t-o5'><body>x</body><error type='cancel'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"
        let actions = harness.feed(bounce)
        #expect(actions.elements(named: "presence").first?[attribute: "to"] == "ops@conference.localhost/Tocsin")
        #expect(harness.session.rooms[SessionHarness.roomJID]?.isJoining == true)
        #expect(actions.inbound.isEmpty)
    }

    /// Any occupant can address an error to us through the room (its `from` is their occupant
    /// JID): believed, it would make the bot leave and rejoin the room on every such stanza.
    @Test func anOccupantsErrorMessageDoesNotMakeUsRejoin() {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.joinRoom()
        let forged = "<message from='ops@conference.localhost/mallory' type='error' id='x1'><error type='cancel'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"
        let actions = harness.feed(forged)
        #expect(actions.elements(named: "presence").isEmpty)
        #expect(harness.session.rooms[SessionHarness.roomJID]?.isJoined == true)
    }
}
