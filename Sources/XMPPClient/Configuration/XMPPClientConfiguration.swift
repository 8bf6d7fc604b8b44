import TocsinCore
import XMPP

/// Everything one XMPP connection needs: the account, how to reach and trust the server, the rooms
/// to sit in and how patient to be.
///
/// The defaults follow the conservative choices of RFC 6120: TLS is required (STARTTLS on 5222 or
/// direct TLS on 5223, XEP-0368), the certificate is verified, and the password is never sent in
/// the clear (PLAIN only over TLS and only when ``allowPlain`` is set).
public struct XMPPClientConfiguration: Sendable {
    /// How the connection is encrypted.
    public enum TLSMode: Sendable, Hashable {
        /// Plain TCP, upgraded with STARTTLS before anything else is said (RFC 6120 §5). Usual port 5222.
        case startTLS
        /// TLS from the first byte (XEP-0368). Usual port 5223.
        case directTLS
        /// No encryption at all. Only for local test servers, and only when asked for explicitly.
        case plaintext
    }

    /// A room to join at start-up (XEP-0045 §7.2).
    public struct Room: Sendable, Hashable {
        /// The room's bare JID, `ops@conference.example.org`.
        public var jid: JID
        /// The room password, for password-protected rooms.
        public var password: String?

        public init(jid: JID, password: String? = nil) {
            self.jid = jid
            self.password = password
        }
    }

    /// The configured network name (`xmpp-ops`); every log line and destination carries it.
    public var network: String
    /// The bot's bare account JID, `bot@example.org`.
    public var jid: JID
    public var password: String
    /// The resource to bind (RFC 6120 §7); the server may assign another one.
    public var resource: String
    /// Where to connect when it is not the JID's domain (no SRV lookup is done).
    public var host: String?
    public var port: Int
    public var tls: TLSMode
    /// A PEM file with the CA (or self-signed) certificate to trust instead of the system store.
    public var caFile: String?
    /// Whether the server certificate must be valid for the domain. Turning it off is unsafe.
    public var verifyCertificate: Bool
    /// SASL PLAIN is used only over TLS and only if this is set (RFC 6120 §13.9.4).
    public var allowPlain: Bool
    /// The nickname in rooms.
    public var nick: String
    public var rooms: [Room]
    /// Which invitations to follow (XEP-0249, XEP-0045 §7.8).
    public var invites: InvitePolicy
    /// Domains trusted as XEP-0045 MUC services without asking (`muc_services`), e.g.
    /// `conference.example.org`. The domains of ``rooms`` are trusted too, and the services the
    /// account's own server lists in disco#items are discovered at start; rooms anywhere else are
    /// never joined and their presence and invitations never believed.
    public var mucServices: [String] = []
    /// After a kick or room destruction, rejoin after this delay; `nil` stays out. Bans are never
    /// undone by rejoining.
    public var rejoinAfterKick: Duration?
    /// How often to ping the server (XEP-0199).
    public var pingInterval: Duration
    /// Without any traffic from the server for this long, the connection is considered dead.
    public var deadAfter: Duration
    /// Reconnection backoff bounds; the delay doubles from `min` up to `max`, with jitter.
    public var reconnectDelay: (min: Duration, max: Duration)
    /// How long ``XMPPConnection/deliver(_:)`` waits for the server's XEP-0198 acknowledgement.
    public var ackTimeout: Duration

    public init(
        network: String,
        jid: JID,
        password: String,
        resource: String = "tocsin",
        host: String? = nil,
        port: Int? = nil,
        tls: TLSMode = .startTLS,
        caFile: String? = nil,
        verifyCertificate: Bool = true,
        allowPlain: Bool = false,
        nick: String,
        rooms: [Room] = [],
        invites: InvitePolicy = InvitePolicy(),
        rejoinAfterKick: Duration? = .seconds(60),
        pingInterval: Duration = .seconds(60),
        deadAfter: Duration = .seconds(180),
        reconnectDelay: (min: Duration, max: Duration) = (min: .seconds(1), max: .seconds(60)),
        ackTimeout: Duration = .seconds(30)
    ) {
        self.network = network
        self.jid = jid.bare
        self.password = password
        self.resource = resource
        self.host = host
        self.port = port ?? (tls == .directTLS ? 5223 : 5222)
        self.tls = tls
        self.caFile = caFile
        self.verifyCertificate = verifyCertificate
        self.allowPlain = allowPlain
        self.nick = nick
        self.rooms = rooms
        self.invites = invites
        self.rejoinAfterKick = rejoinAfterKick
        self.pingInterval = pingInterval
        self.deadAfter = deadAfter
        self.reconnectDelay = reconnectDelay
        self.ackTimeout = ackTimeout
    }

    /// Every domain trusted by configuration to host real rooms: ``mucServices`` and the domains
    /// of the configured rooms.
    public var configuredMUCServices: Set<String> {
        Set(mucServices.map { $0.lowercased() } + rooms.map { $0.jid.domainpart.lowercased() })
    }

    /// The host to open the TCP connection to.
    public var connectHost: String { host ?? jid.domainpart }

    /// Overrides the name the certificate is checked against (`tls.server_name`).
    public var serverName: String? = nil

    /// The name the server certificate must carry (and the SNI sent): the JID's domain, as RFC 6120
    /// §13.7.2.1 requires, even when `host` points elsewhere — unless `serverName` overrides it.
    public var tlsServerName: String {
        serverName ?? jid.domainpart
    }
}

extension XMPPClientConfiguration: CustomStringConvertible, CustomReflectable {
    /// Everything but the password, so a configuration can be logged.
    public var description: String {
        "XMPPClientConfiguration(network: \(network), jid: \(jid), host: \(connectHost):\(port), tls: \(tls), rooms: \(rooms.map(\.jid.description)))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["network": network, "jid": jid, "host": connectHost, "port": port, "tls": tls, "nick": nick], displayStyle: .struct)
    }
}

import ChatConnection

extension XMPPClientConfiguration {
    /// The TLS side of this account for the shared connection skeleton: `tls.ca_file`,
    /// `tls.verify`, and the name the certificate must carry (``tlsServerName``).
    public var tlsSettings: TLSClientSettings {
        TLSClientSettings(host: connectHost, serverName: tlsServerName, caFile: caFile, verifyCertificate: verifyCertificate)
    }
}
