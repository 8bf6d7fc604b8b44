import IRC
import Testing
@testable import IRCClient

/// IRCv3 Strict Transport Security (https://ircv3.net/specs/extensions/sts) in registration.
@Suite("STS policy")
struct STSTests {
    let t0 = ContinuousClock.now

    func registration(secure: Bool, verified: Bool = true) -> IRCRegistrationStateMachine {
        var m = IRCRegistrationStateMachine(settings: .init(
            nick: "tocsin", username: "bot", realname: "Tocsin bot",
            secureTransport: secure, certificateVerified: verified))
        _ = m.start()
        return m
    }

    @Test func stsOnPlaintextStopsRegistrationAndAsksForTLSOnTheAdvertisedPort() {
        var m = registration(secure: false)
        let out = m.receive(line(":srv CAP * LS :server-time sts=port=6697,duration=300 echo-message"), now: t0)
        #expect(out.contains(.stsUpgrade(port: 6697)))
        // Nothing more over plaintext: no CAP REQ, no CAP END.
        #expect(out.sent.isEmpty)
        #expect(m.phase == "failed")
    }

    @Test func stsOnPlaintextWithoutAValidPortIsIgnored() {
        var m = registration(secure: false)
        let out = m.receive(line(":srv CAP * LS :server-time sts=port=99999"), now: t0)
        #expect(!out.contains { if case .stsUpgrade = $0 { true } else { false } })
        #expect(out.sent == ["CAP REQ server-time"])
    }

    @Test func stsOnVerifiedTLSIsAPolicyToRememberAndIsNeverRequested() {
        var m = registration(secure: true)
        let out = m.receive(line(":srv CAP * LS :sts=duration=2592000,preload server-time"), now: t0)
        #expect(out.contains(.stsPolicy(port: nil, duration: .seconds(2_592_000))))
        #expect(out.sent == ["CAP REQ server-time"])
    }

    @Test func durationZeroOnTLSClearsThePolicy() {
        var m = registration(secure: true)
        let out = m.receive(line(":srv CAP * LS :sts=port=6697,duration=0"), now: t0)
        #expect(out.contains(.stsPolicy(port: 6697, duration: .zero)))
    }

    @Test func anUnverifiedTLSPeerCannotSetAPolicy() {
        var m = registration(secure: true, verified: false)
        let out = m.receive(line(":srv CAP * LS :sts=duration=300"), now: t0)
        #expect(!out.contains { if case .stsPolicy = $0 { true } else { false } })
    }

    @Test func aPolicyAnnouncedWithCapNewOnTLSIsRemembered() {
        var m = registration(secure: true)
        _ = m.receive(line(":srv CAP * LS :cap-notify"), now: t0)
        _ = m.receive(line(":srv CAP tocsin ACK :cap-notify"), now: t0)
        _ = m.receive(line(":srv 001 tocsin :Welcome"), now: t0)
        _ = m.receive(line(":srv 376 tocsin :End"), now: t0)
        let out = m.receive(line(":srv CAP tocsin NEW :sts=duration=60 account-tag"), now: t0)
        #expect(out.contains(.stsPolicy(port: nil, duration: .seconds(60))))
        #expect(out.sent == ["CAP REQ account-tag"])
    }

    @Test func theClientClosesAPlaintextConnectionAndReportsTheTLSPort() {
        var machine = IRCClientStateMachine(configuration: config(tls: .plaintext), now: t0)
        _ = machine.connectionEstablished(now: t0)
        let actions = machine.receive(line(":srv CAP * LS :sts=port=16697"), now: t0)
        #expect(actions.contains(.upgradeToSTS(port: 16697)))
        #expect(actions.contains { if case .close = $0 { true } else { false } })
        #expect(actions.written.isEmpty)
        #expect(machine.isClosed)
    }

    @Test func theClientPassesAPolicyLearntOverTLSOn() {
        var machine = IRCClientStateMachine(configuration: config(tls: .implicit), now: t0)
        _ = machine.connectionEstablished(now: t0)
        let actions = machine.receive(line(":srv CAP * LS :sts=duration=300"), now: t0)
        #expect(actions.contains(.rememberSTSPolicy(port: nil, duration: .seconds(300))))
        #expect(!machine.isClosed)
    }
}
