import Foundation
import TocsinCore

/// Turns the decoded file into the core's policy and routing values.
extension TocsinConfiguration {
    public var commandPrefix: String { gateway.commandPrefix ?? "!" }

    /// `gateway.rate_limits`, each missing value taken from ``CommandRateLimits/standard``.
    public var commandRateLimits: CommandRateLimits {
        let standard = CommandRateLimits.standard
        func limit(_ settings: RateLimitSettings.BucketSettings?, _ fallback: RateLimit) -> RateLimit {
            RateLimit(burst: settings?.burst ?? fallback.burst, perMinute: settings?.perMinute ?? fallback.perMinute)
        }
        return CommandRateLimits(perUser: limit(gateway.rateLimits?.perUser, standard.perUser),
                                 perRoom: limit(gateway.rateLimits?.perRoom, standard.perRoom))
    }

    /// `gateway.commands`, each missing value taken from ``CommandSchedulerLimits``' defaults.
    public var commandSchedulerLimits: CommandSchedulerLimits {
        let settings = gateway.commands
        return CommandSchedulerLimits(
            maximumInFlight: settings?.maxInFlightPerNetwork ?? CommandSchedulerLimits.defaultMaximumInFlight,
            maximumQueued: settings?.maxQueuedPerNetwork ?? CommandSchedulerLimits.defaultMaximumQueued,
            workingNoticeAfter: settings?.workingNoticeSeconds.map { .milliseconds(Int64(($0 * 1000).rounded())) }
                ?? CommandSchedulerLimits.defaultWorkingNoticeAfter)
    }

    /// `gateway.outbox_max_pending_per_room` (200) and the incidents page under `public_url`.
    public var outboxBound: OutboxBound {
        OutboxBound(maximumPending: gateway.outboxMaxPendingPerRoom ?? OutboxBound.defaultMaximumPending,
                    publicURL: gateway.publicURL)
    }

    public var authorizationPolicy: AuthorizationPolicy {
        // A configured room without `policy:` allows everything; `default_room_policy` is for the
        // rooms nobody configured (joined by invitation), as AuthorizationPolicy documents.
        var rooms: [ChatDestination: RoomPolicy] = [:]
        for network in irc ?? [] {
            for room in network.rooms ?? [] {
                rooms[.room(room.name, on: network.name)] = room.policy.map(Self.roomPolicy) ?? RoomPolicy()
            }
        }
        for network in xmpp ?? [] {
            for room in network.rooms ?? [] {
                rooms[.room(room.jid, on: network.name)] = room.policy.map(Self.roomPolicy) ?? RoomPolicy()
            }
        }
        let mappings = (identities ?? []).map { ($0.chat, $0.email) }
        return AuthorizationPolicy(
            rooms: rooms,
            defaultRoomPolicy: defaultPolicy,
            directMessagePolicy: directMessages.map(Self.roomPolicy) ?? RoomPolicy(),
            identities: Dictionary(mappings, uniquingKeysWith: { first, _ in first }))
    }

    /// Rooms joined by invitation are read-only unless `default_room_policy.writers` says who
    /// may write: whoever got the bot invited must not thereby open a room for write commands.
    private var defaultPolicy: RoomPolicy {
        defaultRoomPolicy.map { Self.roomPolicy($0, writersByDefault: .nobody) } ?? RoomPolicy(writers: .nobody)
    }

    static func roomPolicy(_ settings: PolicySettings) -> RoomPolicy {
        roomPolicy(settings, writersByDefault: .mapped)
    }

    static func roomPolicy(_ settings: PolicySettings, writersByDefault: WritersSettings) -> RoomPolicy {
        let writers: WriterRule = switch settings.writers ?? writersByDefault {
        case .mapped: .anyMapped
        case .nobody: .nobody
        case .only(let identities): .only(Set(identities))
        }
        return RoomPolicy(allowedCommands: settings.commands.map(Set.init), writers: writers)
    }

    /// `gateway.summary_max_length`, `gateway.list_limit` and the chat names of `identities:`
    /// (issue 12: output a team can live with).
    public var announcementFormatter: AnnouncementFormatter {
        AnnouncementFormatter(
            listLimit: gateway.listLimit ?? AnnouncementFormatter.defaultListLimit,
            summaryLimit: gateway.summaryMaxLength ?? AnnouncementFormatter.defaultSummaryLimit,
            chatNames: ChatNames(identities: authorizationPolicy.identities, xmppNetworks: (xmpp ?? []).map(\.name)))
    }

    /// The service names `!subscribe SERVICE` accepts: the embedded store's services, or the
    /// PagerDuty services mapped in the configuration (nil when none are named: any name).
    public var subscribableServices: [String]? {
        switch backend.kind {
        case .embedded: backend.embedded.map { $0.services.map(\.name) }
        case .pagerduty: backend.pagerduty?.services.flatMap { $0.isEmpty ? nil : Array($0.keys) }
        }
    }

    public var router: Router { Router(rules: routeRules) }

    /// The `routes:` as rules, in file order (a reload replaces the running ones with these).
    public var routeRules: [RouteRule] {
        (routes ?? []).map { route in
            RouteRule(
                destination: .room(route.room, on: route.network),
                services: route.services.map(Set.init),
                teams: route.teams.map(Set.init),
                urgencies: route.urgencies.map(Set.init),
                minimumSeverity: route.minSeverity,
                kinds: route.events.map(Set.init))
        }
    }

    /// Per network: the invite policy and `invites.max_rooms` (20 by default); and the configured
    /// rooms, which are never stored as invited nor forgotten on a kick.
    public var roomRegistrySettings: RoomRegistry.Settings {
        var policies: [String: InvitePolicy] = [:]
        var maxima: [String: Int] = [:]
        var configured = Set<ChatDestination>()
        for network in irc ?? [] {
            policies[network.name] = Self.invitePolicy(network.invites)
            maxima[network.name] = network.invites?.maxRooms ?? RoomRegistry.defaultMaximumRooms
            for room in network.rooms ?? [] { configured.insert(.room(room.name, on: network.name)) }
        }
        for network in xmpp ?? [] {
            policies[network.name] = Self.invitePolicy(network.invites)
            maxima[network.name] = network.invites?.maxRooms ?? RoomRegistry.defaultMaximumRooms
            for room in network.rooms ?? [] { configured.insert(.room(room.jid, on: network.name)) }
        }
        return RoomRegistry.Settings(invitePolicies: policies, maximumRooms: maxima, configuredRooms: configured)
    }

    /// Fails closed: without `invites`, or without `invites.rooms`, every invitation is refused.
    public static func invitePolicy(_ settings: InviteSettings?) -> InvitePolicy {
        guard let settings else { return InvitePolicy(accept: false) }
        return InvitePolicy(accept: settings.accept, roomPatterns: settings.rooms ?? [], inviters: settings.inviters.map(Set.init))
    }
}
