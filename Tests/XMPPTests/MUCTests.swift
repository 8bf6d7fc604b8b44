import Testing
@testable import XMPP

@Suite("Multi-User Chat helpers (XEP-0045, XEP-0410)")
struct MUCTests {
    func wire(_ element: XMLElement) -> String {
        element.serialized(parentNamespace: XMPPNamespace.client)
    }

    @Test("the join presence asks for no history and carries the password")
    func joinPresenceAsksForNoHistory() throws {
        let room = try JID("ops@conference.example.com")
        #expect(wire(try MUC.joinPresence(room: room, nick: "Tocsin", password: "pw"))
            == "<presence to='ops@conference.example.com/Tocsin'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/><password>pw</password></x></presence>")
        #expect(wire(try MUC.joinPresence(room: room, nick: "Tocsin"))
            == "<presence to='ops@conference.example.com/Tocsin'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>")
        #expect(wire(try MUC.joinPresence(room: room, nick: "Tocsin", maxStanzas: nil))
            == "<presence to='ops@conference.example.com/Tocsin'><x xmlns='http://jabber.org/protocol/muc'/></presence>")
    }

    @Test("joining replaces any resource on the room JID with the nickname")
    func joinUsesBareRoom() throws {
        let join = try MUC.joinPresence(room: try JID("ops@conference.example.com/old"), nick: "New Nick")
        #expect(join[attribute: "to"] == "ops@conference.example.com/New Nick")
    }

    @Test("an invalid nickname is rejected before anything is sent")
    func invalidNickIsRejected() throws {
        let room = try JID("ops@conference.example.com")
        #expect(throws: JIDError.self) { try MUC.joinPresence(room: room, nick: "") }
        #expect(throws: JIDError.self) { try MUC.joinPresence(room: room, nick: "bad\u{7}nick") }
    }

    @Test("leaving sends unavailable presence to the occupant JID")
    func leavePresence() throws {
        #expect(wire(MUC.leavePresence(occupant: try JID("ops@conference.example.com/Tocsin"), status: "restarting"))
            == "<presence to='ops@conference.example.com/Tocsin' type='unavailable'><status>restarting</status></presence>")
    }

    @Test("self-ping is a XEP-0199 ping to our own occupant JID")
    func selfPing() throws {
        #expect(wire(MUC.selfPing(occupant: try JID("ops@conference.example.com/Tocsin"), id: "sp1"))
            == "<iq id='sp1' to='ops@conference.example.com/Tocsin' type='get'><ping xmlns='urn:xmpp:ping'/></iq>")
    }

    @Test("self-ping answers are classified per XEP-0410", arguments: [
        ("<iq type='result' id='sp'/>", MUC.SelfPingOutcome.joined),
        ("<iq type='error' id='sp'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", .joined),
        ("<iq type='error' id='sp'><error type='cancel'><feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", .joined),
        ("<iq type='error' id='sp'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", .joined),
        ("<iq type='error' id='sp'><error type='cancel'><remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", .inconclusive),
        ("<iq type='error' id='sp'><error type='wait'><remote-server-timeout xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", .inconclusive),
        ("<iq type='error' id='sp'><error type='cancel'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>", .notJoined),
        ("<iq type='error' id='sp'><error/></iq>", .notJoined),
    ])
    func selfPingOutcome(response: String, expected: MUC.SelfPingOutcome) throws {
        let iq = try parsedIQ(response)
        #expect(MUC.selfPingOutcome(iq) == expected)
    }

    @Test("join failures map to actionable reasons", arguments: [
        ("conflict", MUC.JoinFailure.nicknameInUse),
        ("not-authorized", .passwordRequired),
        ("forbidden", .banned),
        ("registration-required", .membersOnly),
        ("service-unavailable", .roomFull),
        ("item-not-found", .roomNotFound),
        ("not-allowed", .creationNotAllowed),
        ("jid-malformed", .other("jid-malformed")),
    ])
    func joinFailures(condition: String, expected: MUC.JoinFailure) throws {
        let element = try #require(parseStanza("<presence type='error'><error type='cancel'><\(condition) xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"))
        let presence = try #require(Presence(element: element))
        #expect(MUC.JoinFailure(presence: presence) == expected)
        #expect(!expected.description.isEmpty)
    }

    @Test("a non-error presence is not a join failure")
    func availablePresenceIsNotFailure() throws {
        let presence = try #require(Presence(element: Stanza.presence()))
        #expect(MUC.JoinFailure(presence: presence) == nil)
    }

    @Test("an instant room configuration submits an empty form")
    func instantRoom() throws {
        #expect(wire(MUC.instantRoomConfiguration(room: try JID("new@conference.example.com/Tocsin"), id: "c1"))
            == "<iq id='c1' to='new@conference.example.com' type='set'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>")
    }

    @Test("status code constants have their XEP-0045 values")
    func statusCodes() {
        #expect(MUC.Status.selfPresence == 110)
        #expect(MUC.Status.roomCreated == 201)
        #expect(MUC.Status.banned == 301)
        #expect(MUC.Status.nicknameChanged == 303)
        #expect(MUC.Status.kicked == 307)
        #expect(MUC.Status.removal.isSuperset(of: [301, 307, 321, 322, 332]))
        #expect(!MUC.Status.removal.contains(110))
    }
}
