import Testing
@testable import XMPP

@Suite("Parsed views of message, presence and iq")
struct StanzaParsingTests {
    static let session = stanzas(parse(Transcripts.prosodySession))

    func stanza(id: String) throws -> XMLElement {
        try #require(Self.session.first { $0[attribute: "id"] == id })
    }

    @Test("a live groupchat command has sender, type, body and no delay")
    func liveGroupchatCommand() throws {
        let message = try #require(Message(element: try stanza(id: "m1")))
        #expect(message.type == .groupchat)
        #expect(message.from == (try JID("ops@conference.example.com/alice")))
        #expect(message.to == (try JID("tocsin@example.com/bot")))
        #expect(message.body == "!ack 123 <see runbook> 🚨")
        #expect(!message.hasDelay)
        #expect(!message.isError)
        #expect(message.directInvite == nil)
        #expect(message.mediatedInvite == nil)
    }

    @Test("room history is marked delayed so it is never executed")
    func historyIsDelayed() throws {
        let message = try #require(Message(element: try stanza(id: "old1")))
        #expect(message.body == "!ack 41")
        #expect(message.hasDelay)
    }

    @Test("legacy jabber:x:delay also counts as delayed")
    func legacyDelayCounts() throws {
        let element = try #require(parseStanza("<message type='groupchat'><body>x</body><x xmlns='jabber:x:delay' stamp='20240101T00:00:00'/></message>"))
        #expect(Message(element: element)?.hasDelay == true)
    }

    @Test("a subject change has a subject and no body")
    func subjectChange() throws {
        let message = try #require(Message(element: try stanza(id: "subj")))
        #expect(message.subject == "On-call: alice & bob")
        #expect(message.body == nil)
    }

    @Test("a XEP-0249 direct invitation gives room, inviter, reason and password")
    func directInvitation() throws {
        let element = try #require(Self.session.first { $0.firstChild(named: "x", namespace: XMPPNamespace.conference) != nil })
        let invite = try #require(Message(element: element)?.directInvite)
        #expect(invite.room == (try JID("sre@conference.example.com")))
        #expect(invite.from == (try JID("alice@example.com/laptop")))
        #expect(invite.reason == "join us")
        #expect(invite.password == "s3cret")
    }

    @Test("a XEP-0045 mediated invitation gives room, inviter, reason and password")
    func mediatedInvitation() throws {
        let element = try #require(Self.session.first { $0.firstChild(named: "x", namespace: XMPPNamespace.mucUser)?.firstChild(named: "invite") != nil })
        let message = try #require(Message(element: element))
        #expect(message.type == .normal)
        let invite = try #require(message.mediatedInvite)
        #expect(invite.room == (try JID("db@conference.example.com")))
        #expect(invite.from == (try JID("bob@example.com/phone")))
        #expect(invite.reason == "DB is down")
        #expect(invite.password == "pw")
    }

    @Test("an invitation with an invalid room JID is ignored")
    func invalidInviteIsIgnored() throws {
        let element = try #require(parseStanza("<message from='a@b'><x xmlns='jabber:x:conference' jid='@bad'/></message>"))
        #expect(Message(element: element)?.directInvite == nil)
    }

    @Test("the body without xml:lang wins over translations")
    func bodyLanguageSelection() throws {
        let element = try #require(parseStanza("<message><body xml:lang='de'>Hallo</body><body>Hello</body></message>"))
        #expect(Message(element: element)?.body == "Hello")
        let only = try #require(parseStanza("<message><body xml:lang='de'>Hallo</body></message>"))
        #expect(Message(element: only)?.body == "Hallo")
    }

    @Test("unknown message types read as normal, errors carry their condition")
    func messageTypesAndErrors() throws {
        #expect(Message(element: try stanzaElement("<message type='bogus'/>"))?.type == .normal)
        let bounce = try parsedMessage(
            "<message type='error' from='ops@conference.example.com'><error type='modify' by='ops@conference.example.com'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Only occupants may send messages</text></error></message>")
        #expect(bounce.isError)
        #expect(bounce.error == StanzaError(type: .modify, condition: "not-acceptable", text: "Only occupants may send messages"))
        #expect(Message(element: XMLElement("presence", namespace: XMPPNamespace.client)) == nil)
    }

    @Test("self-presence in a room carries status 110, item and real JID")
    func selfPresence() throws {
        let presence = try #require(Presence(element: try stanza(id: "join1")))
        #expect(presence.type == .available)
        let muc = try #require(presence.mucUser)
        #expect(muc.isSelf)
        #expect(muc.statusCodes == [100, 110])
        #expect(muc.item?.affiliation == .member)
        #expect(muc.item?.role == .participant)
        #expect(muc.item?.jid == (try JID("tocsin@example.com/bot")))
        #expect(!muc.isDestroyed)
    }

    @Test("an occupant's presence exposes the real JID for authorization")
    func occupantRealJID() throws {
        let element = try #require(Self.session.first { $0.name == "presence" })
        let presence = try #require(Presence(element: element))
        #expect(presence.from?.resourcepart == "alice")
        #expect(presence.mucUser?.item?.jid?.bare == (try JID("alice@example.com")))
        #expect(presence.mucUser?.item?.affiliation == .owner)
        #expect(presence.mucUser?.item?.role == .moderator)
        #expect(presence.mucUser?.isSelf == false)
    }

    @Test("a kick is unavailable self-presence with 307, reason and actor")
    func kickPresence() throws {
        let element = try #require(parseStanza("""
        <presence from='ops@conference.example.com/Tocsin' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none'><actor nick='alice'/><reason>spam</reason></item><status code='110'/><status code='307'/></x></presence>
        """))
        let presence = try #require(Presence(element: element))
        #expect(presence.type == .unavailable)
        let muc = try #require(presence.mucUser)
        #expect(muc.statusCodes.contains(MUC.Status.kicked))
        #expect(!muc.statusCodes.isDisjoint(with: MUC.Status.removal))
        #expect(muc.item?.reason == "spam")
        #expect(muc.item?.actorNick == "alice")
        #expect(muc.item?.role == MUCRole.none)
    }

    @Test("a nickname change carries 303 and the new nick")
    func nicknameChange() throws {
        let element = try #require(parseStanza("<presence from='ops@conference.example.com/bob' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' nick='bobby' role='participant'/><status code='303'/></x></presence>"))
        let muc = try #require(Presence(element: element)?.mucUser)
        #expect(muc.statusCodes == [MUC.Status.nicknameChanged])
        #expect(muc.item?.nick == "bobby")
    }

    @Test("a destroyed room reports the alternate venue and reason")
    func destroyedRoom() throws {
        let element = try #require(parseStanza("<presence from='ops@conference.example.com/Tocsin' type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none'/><destroy jid='ops2@conference.example.com'><reason>moved</reason></destroy></x></presence>"))
        let muc = try #require(Presence(element: element)?.mucUser)
        #expect(muc.isDestroyed)
        #expect(muc.destroy?.alternateRoom == (try JID("ops2@conference.example.com")))
        #expect(muc.destroy?.reason == "moved")
    }

    @Test("a join error exposes its condition")
    func joinErrorCondition() throws {
        let element = try #require(parseStanza("<presence from='ops@conference.example.com/Tocsin' type='error'><x xmlns='http://jabber.org/protocol/muc'/><error by='ops@conference.example.com' type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"))
        let presence = try #require(Presence(element: element))
        #expect(presence.isError)
        #expect(presence.errorCondition == "conflict")
        #expect(MUC.JoinFailure(presence: presence) == .nicknameInUse)
    }

    @Test("presence show and status are read, unknown types are rejected")
    func presenceShowStatusAndTypes() throws {
        let presence = try parsedPresence("<presence><show>dnd</show><status>busy</status></presence>")
        #expect(presence.show == "dnd")
        #expect(presence.status == "busy")
        #expect(presence.mucUser == nil)
        #expect(Presence(element: try stanzaElement("<presence type='available'/>")) == nil)
        #expect(Presence(element: try stanzaElement("<presence type='weird'/>")) == nil)
    }

    @Test("an iq exposes id, type, addresses and payload")
    func iqFields() throws {
        let iq = try #require(IQ(element: try stanza(id: "ping-42")))
        #expect(iq.type == .get)
        #expect(iq.from == (try JID("example.com")))
        #expect(iq.payload?.name == "ping")
        #expect(iq.isPing)
        #expect(iq.error == nil)
        let bind = try #require(IQ(element: try stanza(id: "bind1")))
        #expect(bind.type == .result)
        #expect(bind.payload?.firstChild(named: "jid")?.text == "tocsin@example.com/bot")
    }

    @Test("an iq error's payload skips the error element")
    func iqErrorPayload() throws {
        let element = try #require(parseStanza("<iq type='error' id='e1'><ping xmlns='urn:xmpp:ping'/><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"))
        let iq = try #require(IQ(element: element))
        #expect(iq.payload?.name == "ping")
        #expect(iq.error?.condition == "service-unavailable")
        #expect(iq.error?.type == .cancel)
        #expect(!iq.isPing)
    }

    @Test("an iq without id or with an unknown type is not an IQ")
    func invalidIQs() throws {
        #expect(IQ(element: try stanzaElement("<iq type='get'/>")) == nil)
        #expect(IQ(element: try stanzaElement("<iq id='1' type='fetch'/>")) == nil)
        #expect(IQ(element: try stanzaElement("<message id='1' type='get'/>")) == nil)
    }

    @Test("a stanza error without a defined condition is undefined-condition")
    func errorWithoutCondition() throws {
        let element = try #require(parseStanza("<iq type='error' id='e'><error/></iq>"))
        #expect(StanzaError(stanza: element) == StanzaError(type: nil, condition: "undefined-condition"))
        #expect(StanzaError(stanza: XMLElement("iq", namespace: XMPPNamespace.client)) == nil)
        #expect(StanzaError(type: .wait, condition: "resource-constraint", text: "later").description == "stanza error 'resource-constraint' (type wait): later")
    }
}
