import Foundation
import Testing
import XMPP
@testable import XMPPClient

/// The negotiation state machine, event by event, against recorded prosody and ejabberd features.
@Suite struct NegotiationTests {
    static let account = try! JID("user@localhost")

    func makeNegotiation(
        tls: XMPPClientConfiguration.TLSMode = .startTLS,
        allowPlain: Bool = false,
        resumption: StreamNegotiation.Resumption? = nil
    ) -> StreamNegotiation {
        StreamNegotiation(settings: .init(
            jid: Self.account, password: "pencil", resource: "tocsin", tls: tls, allowPlain: allowPlain,
            resumption: resumption, scramNonce: ServerTraffic.rfc5802Nonce))
    }

    func element(_ xml: String) -> XMLElement {
        var parser = XMPPStreamParser()
        let events = try! parser.feed(Array((ServerTraffic.header() + xml).utf8))
        for case .stanza(let element) in events { return element }
        fatalError("no element in \(xml)")
    }

    func sent(_ actions: [StreamNegotiation.Action]) -> [XMLElement] {
        actions.compactMap { if case .send(let element) = $0 { element } else { nil } }
    }

    /// Runs a negotiation through STARTTLS up to the SASL features.
    func afterTLS(_ negotiation: inout StreamNegotiation, preTLS: String = ServerTraffic.prosodyPreTLS) throws {
        _ = negotiation.start()
        _ = try negotiation.streamOpened()
        _ = try negotiation.receive(element(preTLS))
        _ = try negotiation.receive(element(ServerTraffic.proceed))
        _ = negotiation.tlsStarted()
        _ = try negotiation.streamOpened()
    }

    @Test func startTLSIsNegotiatedFirstWhenTheServerRequiresIt() throws {
        var negotiation = makeNegotiation()
        let open = negotiation.start()
        // No `from` before encryption (RFC 6120 §4.7.1).
        #expect(open == [.write(StreamHeader.open(to: "localhost"))])
        #expect(try negotiation.streamOpened().isEmpty)
        let afterFeatures = try negotiation.receive(element(ServerTraffic.prosodyPreTLS))
        #expect(sent(afterFeatures).map(\.wire) == ["<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"])
        let afterProceed = try negotiation.receive(element(ServerTraffic.proceed))
        #expect(afterProceed == [.startTLS, .resetParser])
        #expect(!negotiation.isEncrypted)
        let reopened = negotiation.tlsStarted()
        #expect(negotiation.isEncrypted)
        #expect(reopened == [.write(StreamHeader.open(to: "localhost", from: "user@localhost"))])
    }

    @Test func scramSHA1FollowsTheRFC5802ExchangeAndVerifiesTheServer() throws {
        var negotiation = makeNegotiation()
        try afterTLS(&negotiation)
        let auth = sent(try negotiation.receive(element(ServerTraffic.prosodySASL)))
        #expect(auth.count == 1)
        #expect(auth[0][attribute: "mechanism"] == "SCRAM-SHA-1")
        #expect(try SASLPayload.decode(auth[0].text) == "n,,n=user,r=\(ServerTraffic.rfc5802Nonce)")

        let response = sent(try negotiation.receive(element(ServerTraffic.challenge(ServerTraffic.rfc5802ServerFirst))))
        #expect(response.first?.name == "response")
        #expect(try SASLPayload.decode(response[0].text) == ServerTraffic.rfc5802ClientFinal)

        let restart = try negotiation.receive(element(ServerTraffic.success(ServerTraffic.rfc5802ServerFinal)))
        #expect(restart.first == .resetParser)
        #expect(restart.dropFirst().first == .write(StreamHeader.open(to: "localhost", from: "user@localhost")))
    }

    @Test func aForgedServerSignatureAbortsTheNegotiation() throws {
        var negotiation = makeNegotiation()
        try afterTLS(&negotiation)
        _ = try negotiation.receive(element(ServerTraffic.prosodySASL))
        _ = try negotiation.receive(element(ServerTraffic.challenge(ServerTraffic.rfc5802ServerFirst)))
        #expect(throws: NegotiationError.authentication(.serverSignatureMismatch)) {
            try negotiation.receive(element(ServerTraffic.success("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")))
        }
        if case .failed = negotiation.state {} else { Issue.record("expected the failed state") }
    }

    @Test func successWithoutServerSignatureIsRefusedForSCRAM() throws {
        var negotiation = makeNegotiation()
        try afterTLS(&negotiation)
        _ = try negotiation.receive(element(ServerTraffic.prosodySASL))
        _ = try negotiation.receive(element(ServerTraffic.challenge(ServerTraffic.rfc5802ServerFirst)))
        #expect(throws: NegotiationError.self) {
            try negotiation.receive(element(ServerTraffic.success(nil)))
        }
    }

    @Test func serverSignatureInAFinalChallengeIsVerifiedAndAnswered() throws {
        var negotiation = makeNegotiation()
        try afterTLS(&negotiation)
        _ = try negotiation.receive(element(ServerTraffic.prosodySASL))
        _ = try negotiation.receive(element(ServerTraffic.challenge(ServerTraffic.rfc5802ServerFirst)))
        let answer = sent(try negotiation.receive(element(ServerTraffic.challenge(ServerTraffic.rfc5802ServerFinal))))
        #expect(answer.map(\.wire) == ["<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>=</response>"])
        let restart = try negotiation.receive(element(ServerTraffic.success(nil)))
        #expect(restart.first == .resetParser)
    }

    @Test func ejabberdGetsSCRAMSHA512AndNeverAPlusVariant() throws {
        var negotiation = makeNegotiation(allowPlain: true)
        try afterTLS(&negotiation, preTLS: ServerTraffic.ejabberdPreTLS)
        let auth = sent(try negotiation.receive(element(ServerTraffic.ejabberdSASL)))
        #expect(auth.first?[attribute: "mechanism"] == "SCRAM-SHA-512")
    }

    @Test func scramSHA256IsPreferredOverSHA1() throws {
        var negotiation = makeNegotiation()
        try afterTLS(&negotiation)
        let features = "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism><mechanism>SCRAM-SHA-256</mechanism></mechanisms></stream:features>"
        #expect(sent(try negotiation.receive(element(features))).first?[attribute: "mechanism"] == "SCRAM-SHA-256")
    }

    @Test func plainIsUsedOnlyWhenAllowedAndEncrypted() throws {
        let plainOnly = "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>"

        var refused = makeNegotiation(allowPlain: false)
        try afterTLS(&refused)
        #expect(throws: NegotiationError.noUsableMechanism(offered: ["PLAIN"], plainAllowed: false, encrypted: true)) {
            try refused.receive(element(plainOnly))
        }

        var allowed = makeNegotiation(allowPlain: true)
        try afterTLS(&allowed)
        let auth = sent(try allowed.receive(element(plainOnly)))
        #expect(auth.first?[attribute: "mechanism"] == "PLAIN")
        #expect(auth.first?.text == Data("\u{0}user\u{0}pencil".utf8).base64EncodedString())

        // Even when allowed, never in the clear.
        var cleartext = makeNegotiation(tls: .plaintext, allowPlain: true)
        _ = cleartext.start()
        _ = try cleartext.streamOpened()
        #expect(throws: NegotiationError.noUsableMechanism(offered: ["PLAIN"], plainAllowed: true, encrypted: false)) {
            try cleartext.receive(element(plainOnly))
        }
    }

    @Test func missingSTARTTLSIsAnErrorUnlessPlaintextWasChosen() throws {
        var negotiation = makeNegotiation()
        _ = negotiation.start()
        _ = try negotiation.streamOpened()
        #expect(throws: NegotiationError.startTLSNotOffered) {
            try negotiation.receive(element(ServerTraffic.prosodySASL))
        }

        var plaintext = makeNegotiation(tls: .plaintext)
        _ = plaintext.start()
        _ = try plaintext.streamOpened()
        #expect(sent(try plaintext.receive(element(ServerTraffic.prosodySASL))).first?.name == "auth")

        var required = makeNegotiation(tls: .plaintext)
        _ = required.start()
        _ = try required.streamOpened()
        #expect(throws: NegotiationError.serverRequiresTLS) {
            try required.receive(element(ServerTraffic.prosodyPreTLS))
        }
    }

    @Test func directTLSSkipsSTARTTLSAndSendsFromAtOnce() throws {
        var negotiation = makeNegotiation(tls: .directTLS)
        #expect(negotiation.start() == [.write(StreamHeader.open(to: "localhost", from: "user@localhost"))])
        _ = try negotiation.streamOpened()
        #expect(sent(try negotiation.receive(element(ServerTraffic.ejabberdSASL))).first?.name == "auth")
    }

    @Test func authenticationFailureNamesTheCondition() throws {
        var negotiation = makeNegotiation()
        try afterTLS(&negotiation)
        _ = try negotiation.receive(element(ServerTraffic.prosodySASL))
        let failure = "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/></failure>"
        do throws(NegotiationError) {
            _ = try negotiation.receive(element(failure))
            Issue.record("expected a failure")
        } catch {
            #expect(error == .authentication(.authenticationFailed(condition: "not-authorized", text: nil)))
            #expect(error.isPersistent)
            #expect(error.description.contains("password"))
        }
    }

    /// Drives a negotiation to the post-SASL features.
    func authenticated(_ negotiation: inout StreamNegotiation) throws {
        try afterTLS(&negotiation)
        _ = try negotiation.receive(element(ServerTraffic.prosodySASL))
        _ = try negotiation.receive(element(ServerTraffic.challenge(ServerTraffic.rfc5802ServerFirst)))
        _ = try negotiation.receive(element(ServerTraffic.success(ServerTraffic.rfc5802ServerFinal)))
        _ = try negotiation.streamOpened()
    }

    @Test func bindThenEnableStreamManagementWithResumption() throws {
        var negotiation = makeNegotiation()
        try authenticated(&negotiation)
        let bind = sent(try negotiation.receive(element(ServerTraffic.prosodyBind)))
        #expect(bind.count == 1)
        let bindID = try #require(bind.first?[attribute: "id"])
        #expect(bind[0].firstChild(named: "bind", namespace: XMPPNamespace.bind)?.firstChild(named: "resource")?.text == "tocsin")

        let enable = sent(try negotiation.receive(element(ServerTraffic.bindResult(id: bindID))))
        #expect(enable.map(\.wire) == ["<enable xmlns='urn:xmpp:sm:3' resume='true'/>"])

        let done = try negotiation.receive(element(ServerTraffic.enabled(id: "abc")))
        let expected = StreamNegotiation.Outcome(
            boundJID: try JID("user@localhost/tocsin"),
            streamManagement: .enabled(resumptionID: "abc", maxSeconds: 300, resumeFailed: nil))
        #expect(done == [.established(expected)])
        #expect(negotiation.isEstablished)
    }

    @Test func serverWithoutStreamManagementIsEstablishedRightAfterBind() throws {
        var negotiation = makeNegotiation()
        try authenticated(&negotiation)
        let bindID = try #require(sent(try negotiation.receive(element(ServerTraffic.bindWithoutSM))).first?[attribute: "id"])
        let done = try negotiation.receive(element(ServerTraffic.bindResult(id: bindID)))
        #expect(done == [.established(.init(boundJID: try JID("user@localhost/tocsin"), streamManagement: .unavailable(resumeFailed: nil)))])
    }

    @Test func requiredLegacySessionIsStartedAfterBind() throws {
        var negotiation = makeNegotiation()
        try authenticated(&negotiation)
        let features = "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></stream:features>"
        let bindID = try #require(sent(try negotiation.receive(element(features))).first?[attribute: "id"])
        let session = sent(try negotiation.receive(element(ServerTraffic.bindResult(id: bindID))))
        #expect(session.first?.firstChild(named: "session", namespace: XMPPNamespace.session) != nil)
        let sessionID = try #require(session.first?[attribute: "id"])
        let done = try negotiation.receive(element("<iq type='result' id='\(sessionID)'/>"))
        #expect(negotiation.isEstablished)
        #expect(done.count == 1)
    }

    @Test func resumptionIsTriedInsteadOfBinding() throws {
        var negotiation = makeNegotiation(resumption: .init(id: "old-id", handled: 7))
        try authenticated(&negotiation)
        let resume = sent(try negotiation.receive(element(ServerTraffic.prosodyBind)))
        #expect(resume.first?.matches(name: "resume", namespace: XMPPNamespace.streamManagement) == true)
        #expect(resume.first?[attribute: "previd"] == "old-id")
        #expect(resume.first?[attribute: "h"] == "7")
        let done = try negotiation.receive(element("<resumed xmlns='urn:xmpp:sm:3' previd='old-id' h='3'/>"))
        guard case .established(let outcome)? = done.first else {
            Issue.record("not established: \(done)")
            return
        }
        #expect(outcome.streamManagement == .resumed(handled: 3))
    }

    @Test func failedResumptionFallsBackToBindAndEnable() throws {
        var negotiation = makeNegotiation(resumption: .init(id: "old-id", handled: 7))
        try authenticated(&negotiation)
        _ = try negotiation.receive(element(ServerTraffic.prosodyBind))
        let bind = sent(try negotiation.receive(element("<failed xmlns='urn:xmpp:sm:3' h='2'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>")))
        let bindID = try #require(bind.first?[attribute: "id"])
        #expect(bind.first?.firstChild(named: "bind", namespace: XMPPNamespace.bind) != nil)
        _ = try negotiation.receive(element(ServerTraffic.bindResult(id: bindID)))
        let done = try negotiation.receive(element(ServerTraffic.enabled(id: "new-id")))
        guard case .established(let outcome)? = done.first else {
            Issue.record("not established: \(done)")
            return
        }
        #expect(outcome.streamManagement == .enabled(resumptionID: "new-id", maxSeconds: 300, resumeFailed: .init(handled: 2)))
    }

    @Test func bindErrorFailsWithTheCondition() throws {
        var negotiation = makeNegotiation()
        try authenticated(&negotiation)
        let bindID = try #require(sent(try negotiation.receive(element(ServerTraffic.prosodyBind))).first?[attribute: "id"])
        #expect(throws: NegotiationError.bindFailed("not-allowed")) {
            try negotiation.receive(element("<iq type='error' id='\(bindID)'><error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"))
        }
    }
}
