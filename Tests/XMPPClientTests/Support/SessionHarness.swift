import Foundation
import Logging
import TocsinCore
import XMPP
@testable import XMPPClient

/// Recorded server traffic, modelled on what prosody 0.12 and ejabberd 23.01 send.
enum ServerTraffic {
    static func header(id: String = "s1", from: String = "localhost") -> String {
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='\(id)' from='\(from)' version='1.0' xml:lang='en'>"
    }

    /// Prosody with `c2s_require_encryption = true`: STARTTLS required, no SASL before TLS.
    static let prosodyPreTLS = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"
    /// Prosody 0.12 after TLS (internal_hashed storage: SCRAM-SHA-1 and PLAIN).
    static let prosodySASL = "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features>"
    /// Prosody after SASL, with mod_smacks.
    static let prosodyBind = """
        <stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><required/></bind>\
        <session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>\
        <sm xmlns='urn:xmpp:sm:2'><optional/></sm><sm xmlns='urn:xmpp:sm:3'><optional/></sm>\
        <ver xmlns='urn:xmpp:features:rosterver'/></stream:features>
        """
    /// ejabberd 23.01 with `starttls_required: true`.
    static let ejabberdPreTLS = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"
    /// ejabberd 23.01 after TLS: SCRAM with and without channel binding, PLAIN, X-OAUTH2.
    static let ejabberdSASL = """
        <stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
        <mechanism>SCRAM-SHA-512-PLUS</mechanism><mechanism>SCRAM-SHA-256-PLUS</mechanism><mechanism>SCRAM-SHA-1-PLUS</mechanism>\
        <mechanism>SCRAM-SHA-512</mechanism><mechanism>SCRAM-SHA-256</mechanism><mechanism>SCRAM-SHA-1</mechanism>\
        <mechanism>PLAIN</mechanism><mechanism>X-OAUTH2</mechanism></mechanisms>\
        <register xmlns='http://jabber.org/features/iq-register'/></stream:features>
        """
    /// ejabberd after SASL with mod_stream_mgmt.
    static let ejabberdBind = """
        <stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>\
        <session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>\
        <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://www.process-one.net/en/ejabberd/' ver='x'/>\
        <sm xmlns='urn:xmpp:sm:2'/><sm xmlns='urn:xmpp:sm:3'/><csi xmlns='urn:xmpp:csi:0'/></stream:features>
        """
    static let bindWithoutSM = "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"

    static let proceed = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"

    // RFC 5802 §5 test vector (SCRAM-SHA-1, user "user", password "pencil").
    static let rfc5802Nonce = "fyko+d2lbbFgONRv9qkxdawL"
    static let rfc5802ServerFirst = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"
    static let rfc5802ClientFinal = "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
    static let rfc5802ServerFinal = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="

    static func challenge(_ text: String) -> String {
        "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\(Data(text.utf8).base64EncodedString())</challenge>"
    }

    static func success(_ text: String?) -> String {
        guard let text else { return "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>" }
        return "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\(Data(text.utf8).base64EncodedString())</success>"
    }

    static func bindResult(id: String, jid: String = "user@localhost/tocsin") -> String {
        "<iq type='result' id='\(id)'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>\(jid)</jid></bind></iq>"
    }

    static func enabled(id: String = "sm-1", resume: Bool = true) -> String {
        "<enabled xmlns='urn:xmpp:sm:3' id='\(id)'\(resume ? " resume='true'" : "") max='300'/>"
    }
}

/// Drives an ``XMPPSession`` the way ``XMPPConnection`` does, with a parser for the server's
/// side and a hand-moved clock.
///
/// The helpers (`connect`, `feed`, `tick`, `establish`, …) return the session's traffic and
/// lifecycle actions; its ``XMPPSession/Action/log(_:_:_:)`` actions go to ``logs`` instead, the
/// way the connection hands them to its logger, so assertions about what is sent stay about
/// what is sent. Calls made on `session` directly return every action.
struct SessionHarness: ~Copyable {
    var session: XMPPSession
    var parser = ServerParser()
    var now: ContinuousClock.Instant = .now
    /// Every log action the helpers saw, in order.
    var logs: [LoggedLine] = []

    struct LoggedLine: Equatable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    static let account = try! JID("user@localhost")
    static let roomJID = try! JID("ops@conference.localhost")

    init(
        rooms: [XMPPClientConfiguration.Room] = [.init(jid: roomJID)],
        tls: XMPPClientConfiguration.TLSMode = .startTLS,
        allowPlain: Bool = false,
        invites: InvitePolicy = InvitePolicy(),
        rejoinAfterKick: Duration? = .seconds(60),
        mucServices: [String] = ["conference.localhost"],
        configure: (inout XMPPClientConfiguration) -> Void = { _ in }
    ) {
        var configuration = XMPPClientConfiguration(
            network: "xmpp-test", jid: Self.account, password: "pencil", tls: tls, allowPlain: allowPlain,
            nick: "Tocsin", rooms: rooms, invites: invites, rejoinAfterKick: rejoinAfterKick)
        configuration.mucServices = mucServices
        configure(&configuration)
        session = XMPPSession(configuration: configuration, idPrefix: "t")
        session.scramNonce = ServerTraffic.rfc5802Nonce
    }

    mutating func advance(_ duration: Duration) {
        now = now.advanced(by: duration)
    }

    /// Moves the log actions to ``logs``; returns the others.
    mutating func record(_ actions: [XMPPSession.Action]) -> [XMPPSession.Action] {
        var rest: [XMPPSession.Action] = []
        for action in actions {
            if case .log(let level, let message, let metadata) = action {
                logs.append(LoggedLine(level: level, message: message, metadata: metadata))
            } else {
                rest.append(action)
            }
        }
        return rest
    }

    /// A new TCP connection: fresh parser on the server side, stream opened by the session.
    mutating func connect() -> [XMPPSession.Action] {
        parser.reset()
        return record(session.connectionStarted(now: now))
    }

    /// Feeds server bytes; resets the server parser when the session restarts the stream.
    mutating func feed(_ xml: String) -> [XMPPSession.Action] {
        var all: [XMPPSession.Action] = []
        for event in parser.events(xml) {
            let actions = record(session.receive(event, now: now))
            all += actions
            if actions.contains(.resetParser) {
                parser.reset()
                break
            }
        }
        return all
    }

    mutating func tick() -> [XMPPSession.Action] {
        record(session.tick(now: now))
    }

    /// Negotiates like prosody: STARTTLS, SCRAM-SHA-1, bind, then XEP-0198 when `sm`.
    @discardableResult
    mutating func establish(sm: Bool = true, bindFeatures: String? = nil) -> [XMPPSession.Action] {
        _ = connect()
        _ = feed(ServerTraffic.header() + ServerTraffic.prosodyPreTLS)
        _ = feed(ServerTraffic.proceed)
        _ = session.tlsStarted(now: now)
        _ = feed(ServerTraffic.header(id: "s2") + ServerTraffic.prosodySASL)
        _ = feed(ServerTraffic.challenge(ServerTraffic.rfc5802ServerFirst))
        _ = feed(ServerTraffic.success(ServerTraffic.rfc5802ServerFinal))
        let bindActions = feed(ServerTraffic.header(id: "s3") + (bindFeatures ?? (sm ? ServerTraffic.prosodyBind : ServerTraffic.bindWithoutSM)))
        let bindID = bindActions.sentElements.first { $0.name == "iq" }?[attribute: "id"] ?? "?"
        let afterBind = feed(ServerTraffic.bindResult(id: bindID))
        guard sm else { return afterBind }
        return feed(ServerTraffic.enabled())
    }

    /// Our self-presence in the room (status 110), optionally with real JIDs shown (status 100).
    mutating func joinRoom(_ room: JID = roomJID, nick: String = "Tocsin", nonAnonymous: Bool = true) -> [XMPPSession.Action] {
        let jidAttribute = nonAnonymous ? " jid='user@localhost/tocsin'" : ""
        let extraStatus = nonAnonymous ? "<status code='100'/>" : ""
        return feed("""
            <presence from='\(room)/\(nick)' to='user@localhost/tocsin'><x xmlns='http://jabber.org/protocol/muc#user'>\
            <item affiliation='none' role='participant'\(jidAttribute)/>\(extraStatus)<status code='110'/></x></presence>
            """)
    }

    /// The id of the last request we sent with this payload (`query` in `namespace`) to `to`.
    static func requestID(in actions: [XMPPSession.Action], namespace: String, to: String) -> String? {
        actions.elements(named: "iq").last { iq in
            iq[attribute: "to"] == to && iq.firstChild(named: "query", namespace: namespace) != nil
        }?[attribute: "id"]
    }

    /// Another occupant's presence.
    mutating func occupant(_ nick: String, realJID: String?, room: JID = roomJID) -> [XMPPSession.Action] {
        let jidAttribute = realJID.map { " jid='\($0)'" } ?? ""
        return feed("""
            <presence from='\(room)/\(nick)' to='user@localhost/tocsin'><x xmlns='http://jabber.org/protocol/muc#user'>\
            <item affiliation='member' role='participant'\(jidAttribute)/></x></presence>
            """)
    }
}

/// The server's half of the stream, parsed with the real codec parser.
struct ServerParser: ~Copyable {
    private var parser = XMPPStreamParser()

    mutating func events(_ xml: String) -> [XMPPStreamEvent] {
        do {
            return try parser.feed(Array(xml.utf8))
        } catch {
            fatalError("test traffic is not a valid stream: \(error)")
        }
    }

    mutating func reset() { parser.reset() }
}

extension Array where Element == XMPPSession.Action {
    /// Every element written, in order.
    var sentElements: [XMLElement] {
        compactMap {
            switch $0 {
            case .send(let element), .sendConfirmingOnFlush(let element, _): element
            default: nil
            }
        }
    }

    var writtenText: [String] {
        compactMap { if case .write(let text) = $0 { text } else { nil } }
    }

    var inbound: [InboundMessage] {
        compactMap { if case .inbound(let message) = $0 { message } else { nil } }
    }

    var closeReason: XMPPSession.CloseReason? {
        for case .close(let reason) in self { return reason }
        return nil
    }

    func elements(named name: String, namespace: String? = nil) -> [XMLElement] {
        sentElements.filter { $0.matches(name: name, namespace: namespace) }
    }
}

extension XMLElement {
    /// The XML as the connection would write it inside the stream.
    var wire: String { serialized(parentNamespace: XMPPNamespace.client) }
}

func outboxItem(_ id: Int64, to conversation: Conversation, text: RichText = RichText(plain: "hello"), inReplyTo: String? = nil) -> OutboxItem {
    OutboxItem(
        id: id,
        message: OutboxMessage(destination: ChatDestination(network: "xmpp-test", conversation: conversation), text: text, priority: .normal, inReplyTo: inReplyTo),
        createdAt: Date())
}
