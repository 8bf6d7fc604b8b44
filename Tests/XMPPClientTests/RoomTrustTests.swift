import Testing
import TocsinCore
import XMPP
@testable import XMPPClient

/// Issue 10, hole 1: a room is a room only on a MUC service, an invitation names its inviter only
/// as XEP-0045 §7.8.2 / XEP-0249 allow, and room traffic counts only from rooms that confirmed our
/// join with status 110. Any XMPP account can send the stanzas below from its own JID.
@Suite struct RoomTrustTests {
    static let alice = ChatIdentity.xmpp("alice@localhost")
    /// An operator's reasonable policy: invited rooms named inv-*, only alice may invite.
    static let policy = InvitePolicy(accept: true, roomPatterns: ["inv-*"], inviters: [alice])

    static func forgedMediatedInvite(from sender: String) -> String {
        """
        <message from='\(sender)' to='user@localhost/tocsin'><x xmlns='http://jabber.org/protocol/muc#user'>\
        <invite from='alice@localhost/phone'><reason>join us</reason></invite></x></message>
        """
    }

    // MARK: The end-to-end forgery, stanza by stanza

    @Test func aForgedInvitationAndAFakeRoomNeverYieldACommandAsSomeoneElse() {
        var harness = SessionHarness(rooms: [], invites: Self.policy)
        harness.establish()
        let fakeRoom = "inv-mallory@localhost"
        // 1. An ordinary account relays a "mediated invitation" naming alice.
        let afterInvite = harness.feed(Self.forgedMediatedInvite(from: "\(fakeRoom)/tocsin"))
        #expect(afterInvite.elements(named: "presence").isEmpty, "the bot must not try to join an account")
        #expect(harness.session.rooms[try! JID(fakeRoom)] == nil)
        // 2. It fakes our self-presence (status 110), then an occupant whose real JID is alice's.
        _ = harness.feed("""
            <presence from='\(fakeRoom)/Tocsin'><x xmlns='http://jabber.org/protocol/muc#user'>\
            <item affiliation='owner' role='moderator' jid='alice@localhost/phone'/><status code='100'/><status code='110'/></x></presence>
            """)
        _ = harness.feed("""
            <presence from='\(fakeRoom)/alice'><x xmlns='http://jabber.org/protocol/muc#user'>\
            <item affiliation='owner' role='moderator' jid='alice@localhost/phone'/></x></presence>
            """)
        // 3. "alice" writes a command in the fake room.
        let command = harness.feed("<message from='\(fakeRoom)/alice' type='groupchat' id='evil-1'><body>!resolve 1</body></message>")
        #expect(command.inbound.isEmpty, "a groupchat from a room the bot never joined must not reach the core")
        #expect(!command.contains(.ready))
    }

    @Test func aMediatedInvitationFromAnAccountIsNotBelievedEvenFromItsBareJID() {
        var harness = SessionHarness(rooms: [], invites: Self.policy)
        harness.establish()
        #expect(harness.feed(Self.forgedMediatedInvite(from: "inv-mallory@localhost")).elements(named: "presence").isEmpty)
        #expect(harness.session.rooms.all.isEmpty)
    }

    @Test func aMediatedInvitationFromAnOccupantJIDIsNotBelieved() {
        // A private message through a real room comes from room@service/nick: the <invite from>
        // inside is whatever that occupant typed.
        var harness = SessionHarness(rooms: [], invites: Self.policy)
        harness.establish()
        #expect(harness.feed(Self.forgedMediatedInvite(from: "inv-db@conference.localhost/mallory")).elements(named: "presence").isEmpty)
        #expect(harness.session.rooms.all.isEmpty)
    }

    @Test func aMediatedInvitationFromARoomOnAMUCServiceIsFollowed() throws {
        var harness = SessionHarness(rooms: [], invites: Self.policy)
        harness.establish()
        let join = try #require(harness.feed(Self.forgedMediatedInvite(from: "inv-db@conference.localhost")).elements(named: "presence").first)
        #expect(join[attribute: "to"] == "inv-db@conference.localhost/Tocsin")
    }

    @Test func aDirectInvitationNamesTheInviterByTheStanzasOwnSender() {
        var harness = SessionHarness(rooms: [], invites: Self.policy)
        harness.establish()
        // An account sends a direct invitation and also claims, in a muc#user element, that alice invites.
        let invite = """
            <message from='inv-mallory@localhost/x'><x xmlns='jabber:x:conference' jid='inv-db@conference.localhost'/>\
            <x xmlns='http://jabber.org/protocol/muc#user'><invite from='alice@localhost'/></x></message>
            """
        #expect(harness.feed(invite).elements(named: "presence").isEmpty)
        #expect(harness.session.rooms.all.isEmpty)
    }

    @Test func aDirectInvitationToARoomOffAnyMUCServiceIsDeclined() {
        var harness = SessionHarness(rooms: [], invites: Self.policy)
        harness.establish()
        let toAccount = "<message from='alice@localhost/phone'><x xmlns='jabber:x:conference' jid='inv-mallory@localhost'/></message>"
        #expect(harness.feed(toAccount).elements(named: "presence").isEmpty)
        let elsewhere = "<message from='alice@localhost/phone'><x xmlns='jabber:x:conference' jid='inv-x@conference.evil.example'/></message>"
        #expect(harness.feed(elsewhere).elements(named: "presence").isEmpty)
        #expect(harness.session.rooms.all.isEmpty)
        let genuine = "<message from='alice@localhost/phone'><x xmlns='jabber:x:conference' jid='inv-db@conference.localhost'/></message>"
        #expect(harness.feed(genuine).elements(named: "presence").first?[attribute: "to"] == "inv-db@conference.localhost/Tocsin")
    }

    // MARK: Only rooms that confirmed our join

    @Test func groupchatFromAConfiguredRoomBeforeStatus110IsIgnored() {
        var harness = SessionHarness()
        harness.establish()
        #expect(harness.session.rooms[SessionHarness.roomJID]?.isJoining == true)
        let early = "<message from='ops@conference.localhost/alice' type='groupchat' id='g1'><body>!ack 1</body></message>"
        #expect(harness.feed(early).inbound.isEmpty)
        // A presence that merely uses our nickname, without status 110, does not confirm the join.
        _ = harness.feed("<presence from='ops@conference.localhost/Tocsin'><x xmlns='http://jabber.org/protocol/muc#user'><item role='participant'/></x></presence>")
        #expect(harness.session.rooms[SessionHarness.roomJID]?.isJoined == false)
        #expect(harness.feed(early).inbound.isEmpty)
        _ = harness.joinRoom()
        #expect(harness.feed(early).inbound.count == 1)
    }

    @Test func realJIDsAnnouncedBeforeOurJoinCountOnlyOnceStatus110Arrives() throws {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.occupant("alice", realJID: "alice@localhost/phone")
        #expect(harness.session.rooms[SessionHarness.roomJID]?.realJID(ofNick: "alice") == nil)
        _ = harness.joinRoom()
        #expect(harness.session.rooms[SessionHarness.roomJID]?.realJID(ofNick: "alice") == (try JID("alice@localhost")))
    }

    @Test func realJIDsFromARefusedJoinAreDropped() {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.occupant("alice", realJID: "alice@localhost/phone")
        _ = harness.feed("<presence from='ops@conference.localhost/Tocsin' type='error'><error type='auth'><registration-required xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>")
        // A late self-presence for a join the room refused is not believed either.
        _ = harness.joinRoom()
        #expect(harness.session.rooms[SessionHarness.roomJID]?.isJoined == false)
        #expect(harness.session.rooms[SessionHarness.roomJID]?.realJID(ofNick: "alice") == nil)
    }

    @Test func aPrivateMessageThroughARoomNotJoinedCarriesNoIdentity() throws {
        var harness = SessionHarness()
        harness.establish()
        _ = harness.occupant("alice", realJID: "alice@localhost/phone")
        let message = try #require(harness.feed("<message from='ops@conference.localhost/alice' type='chat'><body>!ack 1</body></message>").inbound.first)
        #expect(message.identity == nil)
    }

    // MARK: Discovering MUC services (XEP-0030)

    /// Establishes with no configured service, answers disco#items with `items`, and returns the
    /// ids of the disco#info queries by service.
    static func discover(_ harness: inout SessionHarness, items: [String]) throws -> [String: String] {
        let established = harness.establish()
        let itemsID = try #require(SessionHarness.requestID(in: established, namespace: XMPPNamespace.discoItems, to: "localhost"))
        let itemElements = items.map { "<item jid='\($0)'/>" }.joined()
        let queries = harness.feed("<iq from='localhost' to='user@localhost/tocsin' type='result' id='\(itemsID)'><query xmlns='http://jabber.org/protocol/disco#items'>\(itemElements)</query></iq>")
        var ids: [String: String] = [:]
        for service in items {
            ids[service] = SessionHarness.requestID(in: queries, namespace: XMPPNamespace.discoInfo, to: service)
        }
        return ids
    }

    static func infoResult(from service: String, id: String, category: String, type: String) -> String {
        "<iq from='\(service)' to='user@localhost/tocsin' type='result' id='\(id)'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='\(category)' type='\(type)'/></query></iq>"
    }

    @Test func servicesTheServerListsAreTrustedOnlyIfTheyAnswerAsAMUCService() throws {
        var harness = SessionHarness(rooms: [], invites: InvitePolicy(accept: true, roomPatterns: ["*"]), mucServices: [])
        let ids = try Self.discover(&harness, items: ["rooms.localhost", "pubsub.localhost", "someone@localhost"])
        #expect(ids["someone@localhost"] == nil, "an account is not a service")
        // An invitation arriving during discovery waits for it.
        #expect(harness.feed("<message from='alice@localhost/p'><x xmlns='jabber:x:conference' jid='war@rooms.localhost'/></message>").elements(named: "presence").isEmpty)
        _ = harness.feed(Self.infoResult(from: "pubsub.localhost", id: try #require(ids["pubsub.localhost"]), category: "pubsub", type: "service"))
        let finished = harness.feed(Self.infoResult(from: "rooms.localhost", id: try #require(ids["rooms.localhost"]), category: "conference", type: "text"))
        #expect(finished.elements(named: "presence").first?[attribute: "to"] == "war@rooms.localhost/Tocsin")
        #expect(harness.session.mucServices.verdict(forDomain: "rooms.localhost") == .trusted)
        #expect(harness.session.mucServices.verdict(forDomain: "pubsub.localhost") == .untrusted)
        let pubsub = "<message from='alice@localhost/p'><x xmlns='jabber:x:conference' jid='war@pubsub.localhost'/></message>"
        #expect(harness.feed(pubsub).elements(named: "presence").isEmpty)
    }

    @Test func aDiscoAnswerFromSomebodyElseIsIgnored() throws {
        var harness = SessionHarness(rooms: [], invites: InvitePolicy(accept: true, roomPatterns: ["*"]), mucServices: [])
        let ids = try Self.discover(&harness, items: ["rooms.localhost"])
        let id = try #require(ids["rooms.localhost"])
        _ = harness.feed(Self.infoResult(from: "mallory@localhost/x", id: id, category: "conference", type: "text"))
        #expect(harness.session.mucServices.verdict(forDomain: "rooms.localhost") == .unknown)
        _ = harness.feed(Self.infoResult(from: "rooms.localhost", id: id, category: "server", type: "im"))
        #expect(harness.session.mucServices.verdict(forDomain: "rooms.localhost") == .untrusted)
    }

    @Test func unansweredDiscoveryTrustsOnlyTheConfiguration() throws {
        var harness = SessionHarness(rooms: [], invites: InvitePolicy(accept: true, roomPatterns: ["*"]), mucServices: [])
        _ = try Self.discover(&harness, items: ["rooms.localhost"])
        _ = harness.feed("<message from='alice@localhost/p'><x xmlns='jabber:x:conference' jid='war@rooms.localhost'/></message>")
        harness.advance(.seconds(181))
        let expired = harness.tick()
        #expect(expired.elements(named: "presence").isEmpty)
        #expect(harness.session.mucServices.verdict(forDomain: "rooms.localhost") == .untrusted)
        #expect(harness.session.deferredInvitations.isEmpty)
    }

    @Test func configuredRoomsAndServicesAreTrustedWithoutAsking() {
        let harness = SessionHarness(rooms: [.init(jid: try! JID("ops@chat.example.org"))], mucServices: ["Conference.Example.NET"])
        #expect(harness.session.mucServices.verdict(forDomain: "chat.example.org") == .trusted)
        #expect(harness.session.mucServices.verdict(forDomain: "conference.example.net") == .trusted)
        #expect(harness.session.mucServices.verdict(forDomain: "localhost") == .unknown)
        #expect(harness.session.mucServices.verdict(forRoom: try! JID("chat.example.org")) == .untrusted, "a domain is not a room")
    }

    @Test func discoveryIsAskedOnceAndCached() throws {
        var harness = SessionHarness(rooms: [], mucServices: [])
        let ids = try Self.discover(&harness, items: ["rooms.localhost"])
        _ = harness.feed(Self.infoResult(from: "rooms.localhost", id: try #require(ids["rooms.localhost"]), category: "conference", type: "text"))
        _ = harness.session.connectionLost(now: harness.now)
        var again = SessionHarness(rooms: [], mucServices: [])
        again.session = harness.session
        let actions = again.establish(sm: false)
        #expect(SessionHarness.requestID(in: actions, namespace: XMPPNamespace.discoItems, to: "localhost") == nil)
        #expect(again.session.mucServices.verdict(forDomain: "rooms.localhost") == .trusted)
    }
}
