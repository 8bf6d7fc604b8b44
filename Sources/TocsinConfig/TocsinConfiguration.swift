import TocsinCore

/// The whole `tocsin.yml`, decoded from YAML. Field names follow the file (snake_case keys).
/// See `config/embedded.yml` for an annotated example of every section.
public struct TocsinConfiguration: Codable, Sendable, Hashable {
    public var gateway: GatewaySettings
    public var http: HTTPSettings?
    public var backend: BackendSettings
    public var identities: [IdentityMapping]?
    public var irc: [IRCNetworkSettings]?
    public var xmpp: [XMPPNetworkSettings]?
    public var directMessages: PolicySettings?
    public var defaultRoomPolicy: PolicySettings?
    public var routes: [RouteSettings]?
    public var logging: LoggingSettings?

    enum CodingKeys: String, CodingKey {
        case gateway, http, backend, identities, irc, xmpp, routes, logging
        case directMessages = "direct_messages"
        case defaultRoomPolicy = "default_room_policy"
    }
}

public struct GatewaySettings: Codable, Sendable, Hashable {
    /// `!` by default.
    public var commandPrefix: String?
    /// SQLite file holding the embedded incident store and the durable outbox.
    public var database: String
    /// Base URL of Tocsin's own incident pages (embedded backend links).
    public var publicURL: String?
    /// Undelivered announcements older than this at start-up are summarised, not replayed one by one.
    public var outboxMaxAgeSeconds: Int?
    /// Undelivered messages per room above which the oldest low-priority ones are summarised (200).
    public var outboxMaxPendingPerRoom: Int?
    /// Command rate limits per user and per room (token buckets).
    public var rateLimits: RateLimitSettings?
    /// How many commands run at once per network, how many wait, when a slow one says so.
    public var commands: CommandSchedulingSettings?
    /// Incident titles and notes longer than this are cut with "…" in chat (160); the link has the rest.
    public var summaryMaxLength: Int?
    /// Incidents `!incidents` shows at most, several per line (6); the rest are counted and linked.
    public var listLimit: Int?
    /// The incident pages' sign-in links and sessions (issue 13).
    public var pages: WebPagesSettings?
    /// Chat captured into incident timelines: default mode, time after resolve, retention (issue 13).
    public var recording: RecordingSettings?

    enum CodingKeys: String, CodingKey {
        case database
        case commandPrefix = "command_prefix"
        case publicURL = "public_url"
        case outboxMaxAgeSeconds = "outbox_max_age_seconds"
        case outboxMaxPendingPerRoom = "outbox_max_pending_per_room"
        case rateLimits = "rate_limits"
        case summaryMaxLength = "summary_max_length"
        case listLimit = "list_limit"
        case commands
        case pages, recording
    }
}

/// `gateway.commands`: `{max_in_flight_per_network: 32, max_queued_per_network: 256, working_notice_seconds: 3}`.
public struct CommandSchedulingSettings: Codable, Sendable, Hashable {
    public var maxInFlightPerNetwork: Int?
    public var maxQueuedPerNetwork: Int?
    public var workingNoticeSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case maxInFlightPerNetwork = "max_in_flight_per_network"
        case maxQueuedPerNetwork = "max_queued_per_network"
        case workingNoticeSeconds = "working_notice_seconds"
    }
}

/// `gateway.rate_limits`: `{per_user: {burst: 5, per_minute: 10}, per_room: {burst: 10, per_minute: 30}}`;
/// a missing bucket or field takes that default.
public struct RateLimitSettings: Codable, Sendable, Hashable {
    public var perUser: BucketSettings?
    public var perRoom: BucketSettings?

    public struct BucketSettings: Codable, Sendable, Hashable {
        public var burst: Int?
        public var perMinute: Double?

        enum CodingKeys: String, CodingKey {
            case burst
            case perMinute = "per_minute"
        }
    }

    enum CodingKeys: String, CodingKey {
        case perUser = "per_user"
        case perRoom = "per_room"
    }
}

public struct HTTPSettings: Codable, Sendable, Hashable {
    public var host: String?
    public var port: Int?
    public var maxBodyBytes: Int?
    /// Seconds a client has to send a complete request head (10): slow-loris defence.
    public var headerTimeoutSeconds: Int?
    /// Seconds a client has to send a request body after its head (30).
    public var bodyTimeoutSeconds: Int?
    /// Connections one client address may hold at once (64).
    public var maxConnectionsPerAddress: Int?
    /// Connections held at once in all (512); kept under the open-file limit (`LimitNOFILE=`).
    public var maxConnections: Int?

    enum CodingKeys: String, CodingKey {
        case host, port
        case maxBodyBytes = "max_body_bytes"
        case headerTimeoutSeconds = "header_timeout_seconds"
        case bodyTimeoutSeconds = "body_timeout_seconds"
        case maxConnectionsPerAddress = "max_connections_per_address"
        case maxConnections = "max_connections"
    }
}

public struct BackendSettings: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable { case embedded, pagerduty }
    public var kind: Kind
    public var embedded: EmbeddedSettings?
    public var pagerduty: PagerDutySettings?
}

public struct EmbeddedSettings: Codable, Sendable, Hashable {
    public var services: [EmbeddedServiceSettings]
    public var users: [EmbeddedUserSettings]?
    public var schedules: [ScheduleSettings]?
}

public struct EmbeddedServiceSettings: Codable, Sendable, Hashable {
    public var name: String
    public var team: String?
    /// Events API v2 routing key (32 characters) that opens incidents on this service via `/v2/enqueue`.
    public var routingKey: Secret?

    enum CodingKeys: String, CodingKey {
        case name, team
        case routingKey = "routing_key"
    }
}

public struct EmbeddedUserSettings: Codable, Sendable, Hashable {
    public var name: String
    public var email: String
}

public struct ScheduleSettings: Codable, Sendable, Hashable {
    public var name: String
    /// Each level is a rotation of emails; level 1 first.
    public var levels: [[String]]
    public var shiftHours: Int
    /// ISO 8601 start of the first shift.
    public var start: String

    enum CodingKeys: String, CodingKey {
        case name, levels, start
        case shiftHours = "shift_hours"
    }
}

public struct PagerDutySettings: Codable, Sendable, Hashable {
    public var apiToken: Secret
    public var baseURL: String?
    /// Webhooks v3 signing secrets; several while rotating.
    public var webhookSecrets: [Secret]?
    /// Service names used in `!trigger SERVICE` and routes → PagerDuty service ids.
    public var services: [String: String]?
    /// Names accepted by `!oncall NAME` → schedule ids / escalation policy ids.
    public var schedules: [String: String]?
    public var escalationPolicies: [String: String]?
    public var requestTimeoutSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case services, schedules
        case apiToken = "api_token"
        case baseURL = "base_url"
        case webhookSecrets = "webhook_secrets"
        case escalationPolicies = "escalation_policies"
        case requestTimeoutSeconds = "request_timeout_seconds"
    }
}

public struct IdentityMapping: Codable, Sendable, Hashable {
    /// `irc:NETWORK/ACCOUNT` or `xmpp:user@domain`.
    public var chat: ChatIdentity
    public var email: String
}

public struct PolicySettings: Codable, Sendable, Hashable {
    /// Commands enabled; absent = all.
    public var commands: [CommandName]?
    /// `mapped` (any mapped identity, the default), `nobody`, or a list of identities.
    public var writers: WritersSettings?
}

public enum WritersSettings: Codable, Sendable, Hashable {
    case mapped
    case nobody
    case only([ChatIdentity])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let word = try? container.decode(String.self) {
            switch word {
            case "mapped": self = .mapped
            case "nobody": self = .nobody
            default:
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected `mapped`, `nobody` or a list of identities, got \"\(word)\"")
            }
        } else {
            self = .only(try container.decode([ChatIdentity].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .mapped: try container.encode("mapped")
        case .nobody: try container.encode("nobody")
        case .only(let identities): try container.encode(identities)
        }
    }
}

public struct InviteSettings: Codable, Sendable, Hashable {
    public var accept: Bool
    /// Glob patterns of rooms that may be joined on invitation; absent or empty = none (fail
    /// closed: write `["*"]` to take any room).
    public var rooms: [String]?
    /// Only these verified identities may invite; absent = anyone.
    public var inviters: [ChatIdentity]?
    /// Most rooms held by invitation on this network (default 20); further invitations are
    /// refused, with the reason told to the inviter.
    public var maxRooms: Int?

    enum CodingKeys: String, CodingKey {
        case accept, rooms, inviters
        case maxRooms = "max_rooms"
    }
}

public enum TLSModeSetting: String, Codable, Sendable, Hashable {
    /// IRC: TLS from the first byte (port 6697). XMPP: direct TLS (XEP-0368, port 5223).
    case implicit
    case starttls
    /// No encryption; only for tests on loopback, and only when written explicitly.
    case plaintext
}

public struct TLSSettings: Codable, Sendable, Hashable {
    public var mode: TLSModeSetting?
    public var caFile: String?
    public var verify: Bool?
    public var clientCertificate: String?
    public var clientKey: String?
    public var serverName: String?

    enum CodingKeys: String, CodingKey {
        case mode, verify
        case caFile = "ca_file"
        case clientCertificate = "client_certificate"
        case clientKey = "client_key"
        case serverName = "server_name"
    }
}

public struct IRCRoomSettings: Codable, Sendable, Hashable {
    public var name: String
    public var key: Secret?
    public var policy: PolicySettings?
    /// `mentions` (default), `all` or `off`: what is kept of this room's chat (issue 13).
    public var record: RecordMode?
}

public struct SASLSettings: Codable, Sendable, Hashable {
    public enum Mechanism: String, Codable, Sendable, Hashable { case plain = "PLAIN", external = "EXTERNAL" }
    public var mechanism: Mechanism?
    public var account: String?
    public var password: Secret?
}

public struct FloodSettings: Codable, Sendable, Hashable {
    public var burst: Int?
    public var intervalMilliseconds: Int?

    enum CodingKeys: String, CodingKey {
        case burst
        case intervalMilliseconds = "interval_ms"
    }
}

public struct IRCNetworkSettings: Codable, Sendable, Hashable {
    public var name: String
    public var host: String
    public var port: Int?
    public var tls: TLSSettings?
    public var nick: String
    public var alternativeNicks: [String]?
    public var username: String?
    public var realname: String?
    public var serverPassword: Secret?
    public var sasl: SASLSettings?
    public var nickservPassword: Secret?
    public var rooms: [IRCRoomSettings]?
    public var invites: InviteSettings?
    public var rejoinAfterKickSeconds: Int?
    public var flood: FloodSettings?
    /// `privmsg` (default) or `notice` for command replies.
    public var replyWith: String?

    enum CodingKeys: String, CodingKey {
        case name, host, port, tls, nick, username, realname, sasl, rooms, invites, flood
        case alternativeNicks = "alternative_nicks"
        case serverPassword = "server_password"
        case nickservPassword = "nickserv_password"
        case rejoinAfterKickSeconds = "rejoin_after_kick_seconds"
        case replyWith = "reply_with"
    }
}

public struct XMPPRoomSettings: Codable, Sendable, Hashable {
    public var jid: String
    public var password: Secret?
    public var policy: PolicySettings?
    /// `mentions` (default), `all` or `off`: what is kept of this room's chat (issue 13).
    public var record: RecordMode?
}

public struct XMPPNetworkSettings: Codable, Sendable, Hashable {
    public var name: String
    public var jid: String
    public var password: Secret
    public var host: String?
    public var port: Int?
    public var tls: TLSSettings?
    public var nick: String
    public var rooms: [XMPPRoomSettings]?
    public var invites: InviteSettings?
    /// Domains of XEP-0045 MUC services to trust besides those the server lists in disco#items
    /// and those of `rooms` (e.g. `conference.example.org`). Rooms elsewhere are never joined.
    public var mucServices: [String]?
    public var rejoinAfterKickSeconds: Int?
    public var allowPlain: Bool?

    enum CodingKeys: String, CodingKey {
        case name, jid, password, host, port, tls, nick, rooms, invites
        case mucServices = "muc_services"
        case rejoinAfterKickSeconds = "rejoin_after_kick_seconds"
        case allowPlain = "allow_plain"
    }
}

public struct RouteSettings: Codable, Sendable, Hashable {
    public var network: String
    public var room: String
    public var services: [String]?
    public var teams: [String]?
    public var urgencies: [Urgency]?
    public var minSeverity: Severity?
    public var events: [IncidentEventKind]?

    enum CodingKeys: String, CodingKey {
        case network, room, services, teams, urgencies, events
        case minSeverity = "min_severity"
    }
}

public struct LoggingSettings: Codable, Sendable, Hashable {
    /// trace, debug, info, notice, warning, error, critical.
    public var level: String?
}
