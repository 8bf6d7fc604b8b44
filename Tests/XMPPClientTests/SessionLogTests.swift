import Logging
import Testing
import TocsinCore
import XMPP
@testable import XMPPClient

/// ``XMPPSession`` and ``RoomDirectory`` hold no logger: what they want logged comes out as
/// `.log` actions/events, next to the decision it explains, for the connection to log.
@Suite struct SessionLogTests {
    static let room = try! JID("ops@conference.localhost")

    static func levels(_ actions: [XMPPSession.Action]) -> [(Logger.Level, String)] {
        actions.compactMap { if case .log(let level, let message, _) = $0 { (level, message) } else { nil } }
    }

    @Test func aStreamConflictIsLoggedAsAnErrorWithTheResourceNextToTheClose() {
        var harness = SessionHarness(rooms: [])
        harness.establish()
        let events = harness.parser.events("<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")
        let actions = events.flatMap { harness.session.receive($0, now: harness.now) }
        let logIndex = actions.firstIndex { if case .log(.error, let message, let metadata) = $0 {
            message.contains("another client logged in with the same resource") && metadata["resource"] == "tocsin"
        } else { false } }
        let closeIndex = actions.firstIndex { if case .close = $0 { true } else { false } }
        #expect(logIndex != nil)
        #expect(closeIndex != nil)
        if let logIndex, let closeIndex { #expect(logIndex < closeIndex) }
    }

    @Test func establishingTheSessionIsLogged() {
        var harness = SessionHarness(rooms: [])
        harness.establish()
        #expect(harness.logs.contains { $0.level == .info && $0.message == "XMPP session established" && $0.metadata["stream_management"] == "enabled" })
        #expect(harness.logs.contains { $0.level == .debug && $0.message == "authenticated" && $0.metadata["mechanism"] == "SCRAM-SHA-1" })
    }

    @Test func anInvitationWaitsForDiscoveryThenIsDeclinedWithANotice() throws {
        var harness = SessionHarness(rooms: [], invites: InvitePolicy(accept: true))
        let established = harness.establish()
        let itemsID = try #require(SessionHarness.requestID(in: established, namespace: "http://jabber.org/protocol/disco#items", to: "localhost"))
        harness.logs = []
        let invited = harness.feed("<message from='alice@localhost/phone'><x xmlns='jabber:x:conference' jid='inv-x@localhost'/></message>")
        #expect(invited.isEmpty)
        #expect(harness.logs == [.init(level: .debug, message: "room invitation waits for MUC service discovery", metadata: [
            "room": "inv-x@localhost", "inviter": "alice@localhost", "kind": "direct",
        ])])
        harness.logs = []
        let answered = harness.feed("<iq type='result' from='localhost' id='\(itemsID)'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>")
        #expect(answered.elements(named: "presence").isEmpty)
        #expect(harness.logs.map(\.level) == [.debug, .notice])
        #expect(harness.logs.last?.message.hasPrefix("declining room invitation: the room is not on a MUC service") == true)
        #expect(harness.logs.last?.metadata["room"] == "inv-x@localhost")
    }

    @Test func beingKickedIsLoggedByTheRoomDirectory() {
        var harness = SessionHarness(rejoinAfterKick: .seconds(60))
        harness.establish()
        _ = harness.joinRoom()
        harness.logs = []
        _ = harness.feed("""
            <presence from='ops@conference.localhost/Tocsin' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'>\
            <item affiliation='none' role='none'><reason>spam</reason></item><status code='307'/><status code='110'/></x></presence>
            """)
        #expect(harness.logs.contains { $0.level == .warning && $0.message == "no longer in room" && $0.metadata["room"] == "ops@conference.localhost" })
    }

    @Test func losingAnEstablishedConnectionReturnsANotice() {
        var harness = SessionHarness(rooms: [])
        harness.establish()
        let lost = harness.session.connectionLost(now: harness.now)
        #expect(lost == [.log(.notice, "connection lost", ["resumable": "true"])])
        // Not established: nothing to say.
        #expect(harness.session.connectionLost(now: harness.now).isEmpty)
    }

    @Test func aKeepaliveStillGoesOutWhenATickOnlyLogs() {
        // A tick whose only output is log lines is still a quiet tick: the whitespace keepalive
        // (RFC 6120 §4.6.1) must not be suppressed by them.
        var harness = SessionHarness(rooms: []) {
            $0.pingInterval = .seconds(100)
            $0.deadAfter = .seconds(150)
        }
        harness.establish()  // asks the server for disco#items, never answered
        harness.advance(.seconds(100))
        #expect(!harness.tick().elements(named: "iq").isEmpty)  // our ping: the last write
        harness.advance(.seconds(40))
        _ = harness.feed("<presence from='other@conference.localhost/x'><x xmlns='http://jabber.org/protocol/muc#user'/></presence>")
        harness.advance(.seconds(10))
        // disco#items times out (logged twice, nothing sent); 50 s since the last write.
        let tick = harness.session.tick(now: harness.now)
        #expect(tick.filter(\.isLog).count == 2)
        #expect(tick.filter { !$0.isLog } == [.write(" ")])
    }
}

@Suite struct RoomDirectoryLogTests {
    static let room = try! JID("ops@conference.localhost")

    @Test func joiningReturnsTheLogLineWithThePresence() {
        var directory = RoomDirectory(configured: [.init(jid: Self.room)], nick: "Tocsin", rejoinAfterKick: nil)
        let events = directory.join(Self.room, now: .now)
        #expect(events.count == 2)
        #expect(events.first == .log(.info, "joining room", ["room": "ops@conference.localhost", "nick": "Tocsin"]))
        if case .send(let presence)? = events.last {
            #expect(presence[attribute: "to"] == "ops@conference.localhost/Tocsin")
        } else {
            Issue.record("expected the join presence after the log line")
        }
    }

    @Test func aRefusedJoinIsLoggedAsAnError() {
        var directory = RoomDirectory(configured: [.init(jid: Self.room)], nick: "Tocsin", rejoinAfterKick: nil)
        _ = directory.join(Self.room, now: .now)
        var parser = ServerParser()
        let parsed = parser.events(ServerTraffic.header() + """
            <presence from='ops@conference.localhost/Tocsin' type='error'><error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>
            """)
        let refusal = parsed.compactMap { if case .stanza(let element) = $0 { Presence(element: element) } else { nil } }
        #expect(refusal.count == 1)
        let events = refusal.flatMap { directory.handle($0, now: .now) }
        #expect(events.contains { if case .log(.error, "could not join room", let metadata) = $0 { metadata["room"] == "ops@conference.localhost" } else { false } })
    }
}
