import TocsinCore

/// Everything one IRC network connection needs: where to connect, how to prove who the bot is,
/// which rooms to sit in, and how politely to talk.
///
/// Defaults are the safe choice: implicit TLS with certificate and host-name verification, no
/// plaintext unless ``TLSMode-swift.enum/plaintext`` is chosen explicitly, and a flood budget that
/// stays under the stock limits of InspIRCd 3 and ngIRCd 26 (see ``FloodControl``).
public struct IRCClientConfiguration: Sendable {
    /// How the connection is secured.
    public enum TLSMode: Sendable, Hashable {
        /// TLS from the first byte (port 6697, RFC 7194).
        case implicit
        /// Plain TCP, then `STARTTLS` (IRCv3 `tls` extension, reply 670) before registration.
        /// Refusal closes the connection: it never silently continues in plaintext.
        case startTLS
        /// No encryption at all. Only when the configuration says so explicitly.
        case plaintext
    }

    /// How the bot authenticates to services during registration (IRCv3 SASL 3.1).
    public enum SASL: Sendable, Hashable {
        /// RFC 4616 PLAIN: account and password, only ever sent over TLS or to a configured
        /// plaintext server.
        case plain(account: String, password: String)
        /// The TLS client certificate (``IRCClientConfiguration/clientCertificateFile``) is the
        /// credential ("CertFP").
        case external
    }

    /// A channel to join, with its key (`+k`) if it has one.
    public struct Room: Sendable, Hashable {
        public var name: String
        public var key: String?

        public init(name: String, key: String? = nil) {
            self.name = name
            self.key = key
        }
    }

    /// Outgoing pacing: a token bucket of `burst` lines refilled with one line every `interval`.
    ///
    /// The defaults (4 lines, then one every 2.1 s, i.e. under 0.5 line/s sustained) stay below
    /// what stock servers tolerate, so the server never has to hold back our lines (which would
    /// also delay our PONGs) and never disconnects us:
    ///
    /// - **InspIRCd 3** default `<connect>` class (`inspircd.conf.example`, `users.cpp`):
    ///   `threshold="10"`, `commandrate="1000"`, `fakelag="yes"`. Every command adds 1000 penalty
    ///   units (unknown ones 2000), the penalty drains by `commandrate` (one command) per second,
    ///   and at `threshold × 1000` the server stops reading our lines (fakelag; "RecvQ exceeded"
    ///   once `recvq` fills) or, on networks with `fakelag="no"`, quits us with "Excess Flood".
    ///   A burst of 4 and 1 line per 2.1 s never gets near 10.
    /// - **ngIRCd 26** (`conn.c`, `defines.h`): it handles at most 3 commands (`MAX_COMMANDS`) per
    ///   pass for a user and sets a 1 s penalty when more are waiting, or when 256 bytes or more
    ///   (`COMMAND_LEN / 2`) were processed within one second; error replies add 2 s. It throttles
    ///   rather than kills: 14 lines of 470 bytes written at once were all relayed, at about 1.5
    ///   lines/s (tested here against ngIRCd 26.1). Staying under 0.5 line/s keeps our lines
    ///   undelayed.
    ///
    /// Raise them only for a network whose connect class for the bot is known to be more generous.
    public struct FloodControl: Sendable, Hashable {
        public var burst: Int
        public var interval: Duration

        public init(burst: Int = 4, interval: Duration = .milliseconds(2100)) {
            self.burst = max(1, burst)
            self.interval = interval > .zero ? interval : .milliseconds(2100)
        }
    }

    /// Configured name of this network (`config.irc[].network`); tags every log line and
    /// ``TocsinCore/ChatDestination``.
    public var network: String
    public var host: String
    public var port: Int
    public var tls: TLSMode

    /// PEM file of the CA (or self-signed certificate) that signs the server's certificate, for
    /// networks with a private CA. The system trust store is used otherwise.
    public var caFile: String?
    /// Verify the server's certificate chain and that it is valid for ``serverName`` (or
    /// ``host``). Turning it off makes the connection open to interception.
    public var verifyCertificate: Bool
    /// PEM client certificate (for SASL EXTERNAL / CertFP) and its private key.
    public var clientCertificateFile: String?
    public var clientKeyFile: String?
    /// Name sent as SNI and checked against the certificate, when it differs from ``host``.
    public var serverName: String?

    public var nick: String
    /// Tried in order when ``nick`` is taken; then `nick_1`, `nick_2`, …
    public var alternativeNicks: [String]
    public var username: String
    public var realname: String
    /// Connection password (`PASS`), if the server requires one.
    public var serverPassword: String?

    public var sasl: SASL?
    /// `PRIVMSG NickServ :IDENTIFY …` after registration when SASL is not available or failed.
    public var nickServPassword: String?

    public var rooms: [Room]
    public var invites: InvitePolicy
    /// Delay before rejoining a room the bot was kicked from; `nil` leaves it.
    public var rejoinAfterKick: Duration?

    public var flood: FloodControl
    /// Send command replies as NOTICE (the IRC convention for bots) instead of PRIVMSG.
    public var replyAsNotice: Bool

    /// Idle time after which the bot sends its own PING.
    public var pingInterval: Duration
    /// Silence after which the connection is considered dead and replaced.
    public var deadAfter: Duration
    /// Reconnect delays: exponential from `min` to `max`, with jitter.
    public var reconnectDelay: (min: Duration, max: Duration)

    /// How long `deliver` waits for the server's echo (echo-message) of the last line.
    public var confirmationTimeout: Duration
    /// How often to try to get the configured nick back while using an alternative.
    public var regainNickInterval: Duration

    public init(
        network: String,
        host: String,
        port: Int = 6697,
        tls: TLSMode = .implicit,
        caFile: String? = nil,
        verifyCertificate: Bool = true,
        clientCertificateFile: String? = nil,
        clientKeyFile: String? = nil,
        serverName: String? = nil,
        nick: String,
        alternativeNicks: [String] = [],
        username: String? = nil,
        realname: String = "Tocsin incident bot",
        serverPassword: String? = nil,
        sasl: SASL? = nil,
        nickServPassword: String? = nil,
        rooms: [Room] = [],
        invites: InvitePolicy = InvitePolicy(),
        rejoinAfterKick: Duration? = nil,
        flood: FloodControl = FloodControl(),
        replyAsNotice: Bool = false,
        pingInterval: Duration = .seconds(90),
        deadAfter: Duration = .seconds(240),
        reconnectDelay: (min: Duration, max: Duration) = (min: .seconds(1), max: .seconds(60)),
        confirmationTimeout: Duration = .seconds(30),
        regainNickInterval: Duration = .seconds(60)
    ) {
        self.network = network
        self.host = host
        self.port = port
        self.tls = tls
        self.caFile = caFile
        self.verifyCertificate = verifyCertificate
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
        self.serverName = serverName
        self.nick = nick
        self.alternativeNicks = alternativeNicks
        self.username = username ?? nick
        self.realname = realname
        self.serverPassword = serverPassword
        self.sasl = sasl
        self.nickServPassword = nickServPassword
        self.rooms = rooms
        self.invites = invites
        self.rejoinAfterKick = rejoinAfterKick
        self.flood = flood
        self.replyAsNotice = replyAsNotice
        self.pingInterval = pingInterval
        self.deadAfter = deadAfter
        self.reconnectDelay = reconnectDelay
        self.confirmationTimeout = confirmationTimeout
        self.regainNickInterval = regainNickInterval
    }
}

import ChatConnection

extension IRCClientConfiguration {
    /// The TLS side of this network for the shared connection skeleton: `tls.ca_file`,
    /// `tls.client_certificate`/`tls.client_key` (SASL EXTERNAL, CertFP), `tls.server_name`,
    /// `tls.verify`.
    public var tlsSettings: TLSClientSettings {
        TLSClientSettings(
            host: host, serverName: serverName, caFile: caFile, verifyCertificate: verifyCertificate,
            clientCertificateFile: clientCertificateFile, clientKeyFile: clientKeyFile)
    }
}
