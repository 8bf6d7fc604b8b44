import IRC
import Testing
@testable import IRCClient

@Suite("Registration state machine")
struct RegistrationStateMachineTests {
    let t0 = ContinuousClock.now

    func machine(
        sasl: IRCClientConfiguration.SASL? = nil, password: String? = nil, startTLS: Bool = false,
        alternatives: [String] = [], nickServFallback: Bool = false
    ) -> IRCRegistrationStateMachine {
        IRCRegistrationStateMachine(settings: .init(
            nick: "tocsin", alternativeNicks: alternatives, username: "bot", realname: "Tocsin bot",
            serverPassword: password, sasl: sasl, nickServFallback: nickServFallback, startTLS: startTLS))
    }

    @Test func startSendsCapLSThenNickAndUser() {
        var m = machine()
        #expect(m.start().sent == ["CAP LS 302", "NICK tocsin", "USER bot 0 * :Tocsin bot"])
        #expect(m.phase == "listing capabilities")
    }

    @Test func serverPasswordGoesFirst() {
        var m = machine(password: "hunter2")
        #expect(m.start().sent.first == "PASS hunter2")
    }

    @Test func multiLineCapLSIsCollectedBeforeRequestingTheOfferedSubset() {
        var m = machine()
        _ = m.start()
        let first = m.receive(line(":srv CAP * LS * :account-notify away-notify batch cap-notify"), now: t0)
        #expect(first.isEmpty)
        let last = m.receive(line(":srv CAP * LS :echo-message inspircd.org/poison message-tags server-time sasl=PLAIN"), now: t0)
        // sasl is offered but not configured: not requested. Unknown caps are never requested.
        #expect(last.sent == ["CAP REQ :server-time message-tags account-notify echo-message cap-notify batch"])
        #expect(m.phase == "requesting capabilities")

        let ack = m.receive(line(":srv CAP tocsin ACK :server-time message-tags account-notify echo-message cap-notify batch"), now: t0)
        #expect(ack.sent == ["CAP END"])
        #expect(m.enabledCapabilities == ["server-time", "message-tags", "account-notify", "echo-message", "cap-notify", "batch"])
    }

    @Test func emptyCapListEndsNegotiationAtOnce() {
        var m = machine()
        _ = m.start()
        #expect(m.receive(line(":srv CAP * LS :"), now: t0).sent == ["CAP END"])
        #expect(m.phase == "awaiting welcome")
    }

    @Test func nakedRequestIsRetriedOneCapabilityAtATime() {
        var m = machine()
        _ = m.start()
        _ = m.receive(line(":srv CAP * LS :server-time account-tag"), now: t0)
        let nak = m.receive(line(":srv CAP tocsin NAK :server-time account-tag"), now: t0)
        #expect(nak.sent == ["CAP REQ server-time", "CAP REQ account-tag"])
        #expect(m.receive(line(":srv CAP tocsin ACK :server-time"), now: t0).sent.isEmpty)
        #expect(m.receive(line(":srv CAP tocsin NAK :account-tag"), now: t0).sent == ["CAP END"])
        #expect(m.enabledCapabilities == ["server-time"])
    }

    @Test func saslPlainSuccess() {
        var m = machine(sasl: .plain(account: "tocsin", password: "s3cret"))
        _ = m.start()
        #expect(m.receive(line(":srv CAP * LS :sasl=PLAIN,EXTERNAL account-tag"), now: t0).sent == ["CAP REQ :sasl account-tag"])
        #expect(m.receive(line(":srv CAP tocsin ACK :account-tag sasl"), now: t0).sent == ["AUTHENTICATE PLAIN"])
        #expect(m.phase == "SASL authentication")
        let credentials = m.receive(line("AUTHENTICATE +"), now: t0).sent
        // base64("\0tocsin\0s3cret")
        #expect(credentials == ["AUTHENTICATE AHRvY3NpbgBzM2NyZXQ="])
        _ = m.receive(line(":srv 900 tocsin tocsin!bot@host tocsin :You are now logged in as tocsin"), now: t0)
        #expect(m.receive(line(":srv 903 tocsin :SASL authentication successful"), now: t0).sent == ["CAP END"])
        _ = m.receive(line(":srv 001 tocsin :Welcome"), now: t0)
        let done = m.receive(line(":srv 376 tocsin :End of MOTD"), now: t0)
        #expect(done.contains(.registered(.init(nick: "tocsin", capabilities: ["account-tag", "sasl"], account: "tocsin", sasl: .succeeded))))
    }

    @Test func saslPlainPayloadIsChunkedAt400Bytes() {
        let password = String(repeating: "p", count: 600)
        var m = machine(sasl: .plain(account: "tocsin", password: password))
        _ = m.start()
        _ = m.receive(line(":srv CAP * LS :sasl"), now: t0)
        _ = m.receive(line(":srv CAP tocsin ACK :sasl"), now: t0)
        let chunks = m.receive(line("AUTHENTICATE +"), now: t0).sent
        #expect(chunks.count == 3)
        #expect(chunks[0].utf8.count == "AUTHENTICATE ".utf8.count + 400)
        #expect(chunks[1].utf8.count == "AUTHENTICATE ".utf8.count + 400)
        #expect(chunks.allSatisfy { $0.hasPrefix("AUTHENTICATE ") })
    }

    @Test func saslFailureWithNickServFallbackIsLoggedAndRegistrationContinues() {
        var m = machine(sasl: .plain(account: "tocsin", password: "wrong"), nickServFallback: true)
        _ = m.start()
        _ = m.receive(line(":srv CAP * LS :sasl"), now: t0)
        _ = m.receive(line(":srv CAP tocsin ACK :sasl"), now: t0)
        _ = m.receive(line("AUTHENTICATE +"), now: t0)
        let failed = m.receive(line(":srv 904 tocsin :SASL authentication failed"), now: t0)
        #expect(failed.sent == ["CAP END"])
        #expect(failed.contains { output in
            if case .log(.error, let text) = output { return text.contains("authentication failed") && text.contains("tocsin") && !text.contains("wrong") }
            return false
        })
        _ = m.receive(line(":srv 001 tocsin :Welcome"), now: t0)
        let done = m.receive(line(":srv 422 tocsin :MOTD File is missing"), now: t0)
        #expect(done.contains(.registered(.init(nick: "tocsin", capabilities: ["sasl"], account: nil, sasl: .failed))))
    }

    /// InspIRCd hides `sasl` while Anope is not linked (right after a restart). Registering then
    /// would leave the bot unidentified, renamed to Guest… by services a minute later: it must end
    /// the attempt and retry instead.
    @Test func saslConfiguredButNotOfferedEndsTheAttemptWithoutFallback() {
        var m = machine(sasl: .plain(account: "tocsin", password: "pw"))
        _ = m.start()
        let out = m.receive(line(":srv CAP * LS :server-time echo-message"), now: t0)
        #expect(out.sent.isEmpty)
        #expect(out.contains { if case .fail(let reason) = $0 { reason.contains("offers no SASL") } else { false } })
        #expect(m.phase == "failed")
    }

    @Test func saslConfiguredButNotOfferedGoesOnWithNickServFallback() {
        var m = machine(sasl: .plain(account: "tocsin", password: "pw"), nickServFallback: true)
        _ = m.start()
        #expect(m.receive(line(":srv CAP * LS :server-time"), now: t0).sent == ["CAP REQ server-time"])
    }

    @Test func saslFailureWithoutFallbackEndsTheAttempt() {
        var m = machine(sasl: .plain(account: "tocsin", password: "wrong"))
        _ = m.start()
        _ = m.receive(line(":srv CAP * LS :sasl"), now: t0)
        _ = m.receive(line(":srv CAP tocsin ACK :sasl"), now: t0)
        _ = m.receive(line("AUTHENTICATE +"), now: t0)
        let failed = m.receive(line(":srv 904 tocsin :SASL authentication failed"), now: t0)
        #expect(failed.sent.isEmpty)
        #expect(failed.contains { if case .fail(let reason) = $0 { reason.contains("sasl.account (tocsin)") && !reason.contains("wrong") } else { false } })
    }

    @Test func serverWithoutCapEndsTheAttemptWhenSASLIsConfiguredWithoutFallback() {
        var m = machine(sasl: .plain(account: "a", password: "b"))
        _ = m.start()
        let out = m.receive(line(":srv 421 * CAP :Unknown command"), now: t0)
        #expect(out.contains { if case .fail = $0 { true } else { false } })
    }

    @Test func saslExternalSendsAnEmptyResponse() {
        var m = machine(sasl: .external)
        _ = m.start()
        _ = m.receive(line(":srv CAP * LS :sasl=EXTERNAL"), now: t0)
        #expect(m.receive(line(":srv CAP tocsin ACK :sasl"), now: t0).sent == ["AUTHENTICATE EXTERNAL"])
        #expect(m.receive(line("AUTHENTICATE +"), now: t0).sent == ["AUTHENTICATE +"])
    }

    @Test func saslMechanismNotOfferedIsNotRequestedWithNickServFallback() {
        var m = machine(sasl: .external, nickServFallback: true)
        _ = m.start()
        let out = m.receive(line(":srv CAP * LS :sasl=PLAIN server-time"), now: t0)
        #expect(out.sent == ["CAP REQ server-time"])
    }

    @Test func serverWithoutCapRegistersOnNickAndUser() {
        var m = machine(sasl: .plain(account: "a", password: "b"), nickServFallback: true)
        _ = m.start()
        let unknown = m.receive(line(":srv 421 * CAP :Unknown command"), now: t0)
        #expect(unknown.sent.isEmpty)
        #expect(m.phase == "awaiting welcome")
        _ = m.receive(line(":srv 001 tocsin :Welcome"), now: t0)
        let done = m.receive(line(":srv 376 tocsin :End"), now: t0)
        #expect(done.contains(.registered(.init(nick: "tocsin", capabilities: [], account: nil, sasl: .unavailable))))
    }

    @Test func serverThatIgnoresCapSilentlyStillRegisters() {
        var m = machine()
        _ = m.start()
        _ = m.receive(line(":srv 001 tocsin :Welcome"), now: t0)
        #expect(m.isWelcomed)
        #expect(m.tick(now: t0 + .seconds(11)).contains { if case .registered = $0 { true } else { false } })
    }

    @Test func nickInUseFallsBackToAlternativesThenNumberedNicks() {
        var m = machine(alternatives: ["tocsin-bot"])
        _ = m.start()
        #expect(m.receive(line(":srv 433 * tocsin :Nickname is already in use"), now: t0).sent == ["NICK tocsin-bot"])
        #expect(m.receive(line(":srv 433 * tocsin-bot :Nickname is already in use"), now: t0).sent == ["NICK tocsin_1"])
        #expect(m.receive(line(":srv 436 * tocsin_1 :Nickname collision"), now: t0).sent == ["NICK tocsin_2"])
        _ = m.receive(line(":srv 001 tocsin_2 :Welcome"), now: t0)
        #expect(m.nicks.current == "tocsin_2")
    }

    @Test func erroneousGeneratedNickIsShortenedToNineCharacters() {
        var m = IRCRegistrationStateMachine(settings: .init(nick: "incidentbot", username: "bot", realname: "r"))
        _ = m.start()
        #expect(m.receive(line(":srv 433 * incidentbot :in use"), now: t0).sent == ["NICK incidentbot_1"])
        #expect(m.receive(line(":srv 432 * incidentbot_1 :Erroneous nickname"), now: t0).sent == ["NICK inciden_1"])
    }

    @Test func giveUpAfterTooManyRefusedNicks() {
        var m = machine()
        _ = m.start()
        var last: [IRCRegistrationStateMachine.Output] = []
        for _ in 0..<40 { last = m.receive(line(":srv 433 * x :in use"), now: t0) }
        #expect(last.contains { if case .fail = $0 { true } else { false } } || m.phase == "failed")
    }

    @Test func startTLSUpgradesBeforeRegistering() {
        var m = machine(startTLS: true)
        #expect(m.start().sent == ["STARTTLS"])
        #expect(m.receive(line(":srv 670 * :STARTTLS successful, go ahead with TLS handshake"), now: t0) == [.upgradeToTLS])
        #expect(m.tlsEstablished().sent == ["CAP LS 302", "NICK tocsin", "USER bot 0 * :Tocsin bot"])
    }

    @Test func refusedStartTLSFailsInsteadOfContinuingInPlaintext() {
        var m = machine(startTLS: true)
        _ = m.start()
        let out = m.receive(line(":srv 691 * :STARTTLS failure"), now: t0)
        #expect(out.contains { if case .fail = $0 { true } else { false } })
        #expect(out.sent.isEmpty)
    }

    @Test func capNotifyAfterRegistrationRequestsNewCapabilities() {
        var m = machine()
        _ = m.start()
        _ = m.receive(line(":srv CAP * LS :cap-notify"), now: t0)
        _ = m.receive(line(":srv CAP tocsin ACK :cap-notify"), now: t0)
        _ = m.receive(line(":srv 001 tocsin :Welcome"), now: t0)
        _ = m.receive(line(":srv 376 tocsin :End"), now: t0)
        #expect(m.receive(line(":srv CAP tocsin NEW :account-tag sasl foo"), now: t0).sent == ["CAP REQ account-tag"])
        _ = m.receive(line(":srv CAP tocsin ACK :account-tag"), now: t0)
        #expect(m.enabledCapabilities == ["cap-notify", "account-tag"])
        _ = m.receive(line(":srv CAP tocsin DEL :account-tag"), now: t0)
        #expect(m.enabledCapabilities == ["cap-notify"])
    }
}
