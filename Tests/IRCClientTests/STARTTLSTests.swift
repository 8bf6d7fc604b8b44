import IRC
import NIOCore
import NIOEmbedded
import NIOTLS
import Synchronization
import Testing
@testable import IRCClient

/// STARTTLS (IRCv3 `tls` extension) as an attacker on the path plays with it: plaintext before
/// the reply, plaintext glued to 670, plaintext during the handshake. Nothing of it may be acted on.
@Suite("STARTTLS injection")
struct STARTTLSTests {
    let t0 = ContinuousClock.now

    func registration() -> IRCRegistrationStateMachine {
        var m = IRCRegistrationStateMachine(settings: .init(
            nick: "tocsin", username: "bot", realname: "Tocsin bot", startTLS: true))
        _ = m.start()
        return m
    }

    func failed(_ out: [IRCRegistrationStateMachine.Output]) -> Bool {
        out.contains { if case .fail = $0 { true } else { false } }
    }

    @Test func aForgedPrivmsgBeforeTheSTARTTLSReplyAbortsTheConnection() {
        var m = registration()
        let out = m.receive(line(":alice!a@h PRIVMSG tocsin :!whoami"), now: t0)
        #expect(failed(out))
        #expect(m.phase == "failed")
        // A 670 arriving afterwards no longer starts anything.
        #expect(m.receive(line(":srv 670 tocsin :go ahead"), now: t0).isEmpty)
    }

    @Test func aFakeWelcomeBeforeTheSTARTTLSReplyAbortsTheConnection() {
        var m = registration()
        #expect(failed(m.receive(line(":srv 001 tocsin :Welcome"), now: t0)))
        #expect(!m.isWelcomed)
    }

    @Test func theServersOwnConnectNoticeBeforeTheReplyIsIgnoredNotFatal() {
        var m = registration()
        #expect(!failed(m.receive(line(":irc.example.org NOTICE * :*** Looking up your hostname..."), now: t0)))
        #expect(m.receive(line(":irc.example.org 670 * :STARTTLS successful"), now: t0) == [.upgradeToTLS])
    }

    @Test func aNoticeFromAUserBeforeTheReplyIsNotAServerNotice() {
        var m = registration()
        #expect(failed(m.receive(line(":alice!a@h NOTICE * :hello"), now: t0)))
    }

    @Test func aLineAfter670BeforeTheHandshakeCompletedAbortsTheConnection() {
        var m = registration()
        _ = m.receive(line(":srv 670 tocsin :go ahead"), now: t0)
        #expect(failed(m.receive(line(":alice!a@h PRIVMSG tocsin :!ack 1"), now: t0)))
        #expect(m.tlsEstablished().isEmpty)
    }

    @Test func registrationStartsOnlyWhenTheHandshakeCompleted() {
        var m = registration()
        #expect(m.isNegotiatingTLS)
        _ = m.receive(line(":srv 670 tocsin :go ahead"), now: t0)
        #expect(m.isNegotiatingTLS)
        #expect(m.tlsEstablished().sent == ["CAP LS 302", "NICK tocsin", "USER bot 0 * :Tocsin bot"])
        #expect(!m.isNegotiatingTLS)
    }

    // MARK: The whole client

    @Test func aForgedCommandBeforeTheSTARTTLSReplyNeverReachesTheCoreAndClosesTheConnection() {
        var machine = IRCClientStateMachine(configuration: config(tls: .startTLS), now: t0)
        #expect(machine.connectionEstablished(now: t0).written == ["STARTTLS"])
        let actions = machine.receive(line(":alice!a@h PRIVMSG tocsin :!whoami"), now: t0)
        #expect(actions.inbound.isEmpty)
        #expect(actions.written.isEmpty)
        #expect(actions.contains { if case .close = $0 { true } else { false } })
        #expect(actions.logText.contains("STARTTLS"))
        #expect(machine.isClosed)
    }

    @Test func aPingBeforeTheSTARTTLSReplyIsNotAnsweredInPlaintext() {
        var machine = IRCClientStateMachine(configuration: config(tls: .startTLS), now: t0)
        _ = machine.connectionEstablished(now: t0)
        let actions = machine.receive(line("PING :plaintext"), now: t0)
        #expect(actions.written.isEmpty)
        #expect(machine.isClosed)
    }

    @Test func nothingIsWrittenBetween670AndTheHandshakeThenRegistrationProceeds() {
        var machine = IRCClientStateMachine(configuration: config(tls: .startTLS), now: t0)
        _ = machine.connectionEstablished(now: t0)
        #expect(machine.receive(line(":srv 670 * :go ahead"), now: t0).contains(.upgradeToTLS))
        #expect(machine.tick(now: t0 + .seconds(60)).written.isEmpty)
        #expect(machine.tlsEstablished(now: t0 + .seconds(60)).written == ["CAP LS 302", "NICK tocsin", "USER tocsin 0 * Tocsin"])
    }

    @Test func aPrivmsgBeforeTheWelcomeIsNeverHandedToTheCore() {
        var machine = IRCClientStateMachine(configuration: config(), now: t0)
        _ = machine.connectionEstablished(now: t0)
        _ = machine.receive(line(":srv CAP * LS :server-time"), now: t0)
        let early = machine.receive(line(":alice!a@h PRIVMSG #ops :!resolve 1"), now: t0)
        #expect(early.inbound.isEmpty)
        let invite = machine.receive(line(":alice!a@h INVITE tocsin #inv-x"), now: t0)
        #expect(invite.written.isEmpty)
    }

    // MARK: The reader

    /// Bytes the server (or someone on the path) glued to 670 in the same segment, and plaintext
    /// arriving while the handshake runs, never become lines.
    @Test func theReaderDropsEverythingAfter670UntilTheHandshakeCompleted() throws {
        let events = Mutex<[IRCChannelEvent]>([])
        let channel = EmbeddedChannel(handler: IRCInboundHandler(startTLS: true) { event in
            events.withLock { $0.append(event) }
        })
        let segment = ":srv NOTICE * :*** hello\r\n:srv 670 tocsin :go ahead\r\n:alice!a@h PRIVMSG tocsin :!whoami\r\n:srv 001 tocsin :x\r\n"
        try channel.writeInbound(ByteBuffer(string: segment))
        try channel.writeInbound(ByteBuffer(string: ":alice!a@h PRIVMSG #ops :!ack 1\r\n"))
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
        try channel.writeInbound(ByteBuffer(string: ":srv CAP * LS :sasl\r\n"))

        let seen = events.withLock { $0 }
        var commands: [String] = []
        var discarded: Int?
        for event in seen {
            switch event {
            case .message(let message): commands.append(message.command)
            case .tlsHandshakeCompleted(let count): commands.append("<tls>"); discarded = count
            default: commands.append("?")
            }
        }
        #expect(commands == ["NOTICE", "670", "<tls>", "CAP"])
        let injected = ":alice!a@h PRIVMSG tocsin :!whoami\r\n:srv 001 tocsin :x\r\n:alice!a@h PRIVMSG #ops :!ack 1\r\n"
        #expect(discarded == injected.utf8.count)
        _ = try? channel.finish()
    }

    @Test func withoutSTARTTLSTheReaderPassesEverythingOn() throws {
        let events = Mutex<Int>(0)
        let channel = EmbeddedChannel(handler: IRCInboundHandler(startTLS: false) { event in
            if case .message = event { events.withLock { $0 += 1 } }
        })
        try channel.writeInbound(ByteBuffer(string: ":srv 670 x :y\r\n:srv 001 tocsin :x\r\n"))
        #expect(events.withLock { $0 } == 2)
        _ = try? channel.finish()
    }
}
