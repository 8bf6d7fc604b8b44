import Testing
import TocsinCore
import XMPP
@testable import XMPPClient

/// What reaches the core as an ``InboundMessage``, and with which identity.
@Suite struct InboundMessageTests {
    func groupchat(from nick: String, body: String = "!ack 123", extra: String = "", id: String = "msg-1") -> String {
        "<message from='ops@conference.localhost/\(nick)' to='user@localhost/tocsin' type='groupchat' id='\(id)'><body>\(body)</body>\(extra)</message>"
    }

    @Test func nonAnonymousRoomGivesTheOccupantsRealJID() throws {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.occupant("alice", realJID: "Alice@LocalHost/phone")
        _ = harness.joinRoom(nonAnonymous: true)
        let message = try #require(harness.feed(groupchat(from: "alice")).inbound.first)
        #expect(message.origin == .room("ops@conference.localhost", on: "xmpp-test"))
        #expect(message.identity == .xmpp("alice@localhost"))
        #expect(message.identityUnavailableReason == nil)
        #expect(message.senderName == "alice")
        #expect(message.text == "!ack 123")
        #expect(message.messageID == "msg-1")
        #expect(message.botNames == ["Tocsin"])
    }

    @Test func anonymousRoomGivesNoIdentityAndSaysWhy() throws {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.occupant("alice", realJID: nil)
        _ = harness.joinRoom(nonAnonymous: false)
        #expect(harness.session.rooms[SessionHarness.roomJID]?.isAnonymous == true)
        let message = try #require(harness.feed(groupchat(from: "alice")).inbound.first)
        #expect(message.identity == nil)
        #expect(message.identityUnavailableReason == "this room is anonymous — Tocsin cannot verify who you are; make the room non-anonymous or message the bot directly")
    }

    @Test func aNickTakenByAnotherPersonDoesNotInheritTheIdentity() throws {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.occupant("alice", realJID: "alice@localhost/phone")
        _ = harness.joinRoom()
        _ = harness.feed("<presence from='ops@conference.localhost/alice' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'><item jid='alice@localhost/phone'/></x></presence>")
        _ = harness.occupant("alice", realJID: "mallory@localhost/x")
        let message = try #require(harness.feed(groupchat(from: "alice")).inbound.first)
        #expect(message.identity == .xmpp("mallory@localhost"))
    }

    @Test func historyWithDelayIsNeverACommand() {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.joinRoom()
        let delayed = groupchat(from: "alice", extra: "<delay xmlns='urn:xmpp:delay' from='ops@conference.localhost' stamp='2024-01-01T00:00:00Z'/>")
        #expect(harness.feed(delayed).inbound.isEmpty)
        let direct = "<message from='bob@localhost/pc' type='chat'><body>!ack 1</body><delay xmlns='urn:xmpp:delay' stamp='2024-01-01T00:00:00Z'/></message>"
        #expect(harness.feed(direct).inbound.isEmpty)
    }

    @Test func subjectChangesAndOurOwnReflectionsAreIgnored() {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.joinRoom()
        #expect(harness.feed("<message from='ops@conference.localhost/alice' type='groupchat'><subject>new topic</subject></message>").inbound.isEmpty)
        #expect(harness.feed(groupchat(from: "Tocsin", body: "[TRIGGERED] #1")).inbound.isEmpty)
        #expect(harness.feed("<message from='ops@conference.localhost' type='groupchat'><body>room notice</body></message>").inbound.isEmpty)
    }

    @Test func directMessageCarriesTheSendersBareJID() throws {
        var harness = SessionHarness()
        harness.establish()
        let message = try #require(harness.feed("<message from='Bob@localhost/laptop' type='chat' id='d1'><body>!incidents</body></message>").inbound.first)
        #expect(message.origin == ChatDestination(network: "xmpp-test", conversation: .direct("bob@localhost/laptop")))
        #expect(message.identity == .xmpp("bob@localhost"))
        #expect(message.botNames == ["user"])
        #expect(message.isDirect)
        // type='normal' (or none) is a direct message too.
        #expect(harness.feed("<message from='bob@localhost/laptop'><body>!oncall</body></message>").inbound.count == 1)
        // Without a body there is nothing to run (chat states, receipts).
        #expect(harness.feed("<message from='bob@localhost/laptop' type='chat'><active xmlns='http://jabber.org/protocol/chatstates'/></message>").inbound.isEmpty)
    }

    @Test func privateMessageThroughARoomIsVerifiedOnlyInNonAnonymousRooms() throws {
        var anonymous = SessionHarness()
        anonymous.establish()
        _ = anonymous.occupant("alice", realJID: nil)
        _ = anonymous.joinRoom(nonAnonymous: false)
        let hidden = try #require(anonymous.feed("<message from='ops@conference.localhost/alice' type='chat'><body>!ack 1</body></message>").inbound.first)
        #expect(hidden.identity == nil)
        #expect(hidden.identityUnavailableReason == InboundClassifier.anonymousRoomReason)
        #expect(hidden.origin.conversation == .direct("ops@conference.localhost/alice"))

        var open = SessionHarness()
        open.establish()
        _ = open.occupant("alice", realJID: "alice@localhost/phone")
        _ = open.joinRoom(nonAnonymous: true)
        let shown = try #require(open.feed("<message from='ops@conference.localhost/alice' type='chat'><body>!ack 1</body></message>").inbound.first)
        #expect(shown.identity == .xmpp("alice@localhost"))
        // A nick the map does not know proves nothing.
        let unknown = try #require(open.feed("<message from='ops@conference.localhost/ghost' type='chat'><body>!ack 1</body></message>").inbound.first)
        #expect(unknown.identity == nil)
    }

    @Test func errorsAndServerMessagesAreIgnored() {
        var harness = SessionHarness()
        harness.establish()
        #expect(harness.feed("<message from='bob@localhost/x' type='error'><body>x</body><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>").inbound.isEmpty)
        #expect(harness.feed("<message from='localhost'><body>Welcome to the server</body></message>").inbound.isEmpty)
        #expect(harness.feed("<message from='bob@localhost/x' type='headline'><body>news</body></message>").inbound.isEmpty)
    }

    // MARK: Invitations

    @Test func directInvitationIsFollowedWhenThePolicyAllowsTheInviter() throws {
        let policy = InvitePolicy(accept: true, roomPatterns: ["*@conference.localhost"], inviters: [.xmpp("alice@localhost")])
        var harness = SessionHarness(rooms: [], invites: policy)
        harness.establish()
        let invite = "<message from='alice@localhost/phone' to='user@localhost/tocsin'><x xmlns='jabber:x:conference' jid='war-room@conference.localhost' password='pw'/></message>"
        let actions = harness.feed(invite)
        let join = try #require(actions.elements(named: "presence").first)
        #expect(join[attribute: "to"] == "war-room@conference.localhost/Tocsin")
        #expect(join.firstChild(named: "x", namespace: XMPPNamespace.muc)?.firstChild(named: "password")?.text == "pw")
        #expect(actions.inbound.isEmpty)
    }

    @Test func invitationFromAnUnlistedInviterIsDeclined() {
        let policy = InvitePolicy(accept: true, roomPatterns: ["*"], inviters: [.xmpp("alice@localhost")])
        var harness = SessionHarness(rooms: [], invites: policy)
        harness.establish()
        let invite = "<message from='mallory@localhost/x'><x xmlns='jabber:x:conference' jid='war-room@conference.localhost'/></message>"
        #expect(harness.feed(invite).isEmpty)
        #expect(harness.session.rooms[try! JID("war-room@conference.localhost")] == nil)
    }

    @Test func mediatedInvitationUsesTheInviterTheRoomReports() throws {
        let policy = InvitePolicy(accept: true, roomPatterns: ["war-*@conference.localhost"], inviters: [.xmpp("alice@localhost")])
        var harness = SessionHarness(rooms: [], invites: policy)
        harness.establish()
        let invite = """
            <message from='war-room@conference.localhost' to='user@localhost'><x xmlns='http://jabber.org/protocol/muc#user'>\
            <invite from='alice@localhost/phone'><reason>incident</reason></invite><password>pw</password></x><body>invited</body></message>
            """
        let join = try #require(harness.feed(invite).elements(named: "presence").first)
        #expect(join[attribute: "to"] == "war-room@conference.localhost/Tocsin")

        // A room outside the patterns is refused even from a trusted inviter.
        let other = "<message from='random@conference.localhost'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='alice@localhost/phone'/></x></message>"
        #expect(harness.feed(other).elements(named: "presence").isEmpty)
    }

    @Test func invitationsAreRefusedByDefault() {
        var harness = SessionHarness(rooms: [])
        harness.establish()
        let invite = "<message from='alice@localhost/phone'><x xmlns='jabber:x:conference' jid='war-room@conference.localhost'/></message>"
        #expect(harness.feed(invite).isEmpty)
    }

    @Test func invitedRoomIsRejoinedAfterAReconnection() {
        let policy = InvitePolicy(accept: true, roomPatterns: ["*"])
        var harness = SessionHarness(rooms: [], invites: policy)
        harness.establish()
        _ = harness.feed("<message from='alice@localhost/phone'><x xmlns='jabber:x:conference' jid='war-room@conference.localhost'/></message>")
        _ = harness.session.connectionLost(now: harness.now)
        var again = SessionHarness(rooms: [], invites: policy)
        again.session = harness.session
        let actions = again.establish(sm: false)
        #expect(actions.elements(named: "presence").contains { $0[attribute: "to"] == "war-room@conference.localhost/Tocsin" })
    }
}
