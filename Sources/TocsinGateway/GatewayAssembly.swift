import AsyncHTTPClient
import DurableOutbox
import EmbeddedIncidents
import Foundation
import HTTPIntake
import Hummingbird
import IRCClient
import Logging
import PagerDuty
import Prometheus
import ServiceLifecycle
import TocsinConfig
import TocsinCore
import TocsinStorage
import XMPP
import XMPPClient

/// Builds every part of the gateway from the configuration and hands them to the service group.
/// The only place that knows all targets; each part stays ignorant of the others.
///
/// A library value (not code in the executable) so a test can build the whole gateway in-process:
/// pass fake transports through ``GatewayTransportFactory`` and drive ``intakeRouter`` with
/// HummingbirdTesting, with no socket opened.
public struct GatewayAssembly {
    /// Every chat connection, in configuration order (IRC networks first, then XMPP).
    public var transports: [any ChatTransport]
    /// The HTTP intake listening on `http.host:http.port` (a lifecycle service).
    public var intake: any Service
    /// Everything but the listening intake: the chat connections, the outbox dispatcher and the
    /// maintenance timers. An in-process test runs these and drives ``intakeRouter`` directly.
    public var runtimeServices: [any Service]
    /// The lifecycle services to run in one `ServiceGroup`: the HTTP intake first, then the
    /// ``runtimeServices``.
    public var services: [any Service] { [intake] + runtimeServices }
    /// The intake's routes, the same the listening application serves (for in-process tests).
    public var intakeRouter: Hummingbird.Router<BasicRequestContext>
    /// The command path, for tests and tools that feed messages without a transport.
    public var gateway: Gateway
    /// What a configuration reload (SIGHUP) changes in place; see ``GatewayReloader``.
    public var reloadTargets: ReloadTargets

    /// - Parameters:
    ///   - transportFactory: makes the chat connections; ``GatewayTransportFactory/live(logger:)``
    ///     opens real IRC and XMPP connections, a test passes fakes.
    ///   - environment: where `env:` secrets are read from.
    public init(
        configuration: TocsinConfiguration, metrics: PrometheusCollectorRegistry, logger: Logger,
        transportFactory: GatewayTransportFactory? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws {
        let transportFactory = transportFactory ?? .live(logger: logger)
        func secret(_ value: Secret?) -> String? {
            value.flatMap { try? $0.resolve(environment: environment).get() }
        }

        let database = try TocsinDatabase.open(path: configuration.gateway.database)
        let outbox = try SQLiteOutbox(database: database, bound: configuration.outboxBound, logger: logger)
        let maxAge = TimeInterval(configuration.gateway.outboxMaxAgeSeconds ?? 3600)
        let summaries = try await outbox.summarizeStale(olderThan: maxAge, now: Date())
        if !summaries.isEmpty {
            logger.notice("summarised stale undelivered messages", metadata: ["rooms": "\(summaries.count)"])
        }
        let dispatcher = OutboxDispatcher(outbox: outbox)
        // A snooze set (by a command or the API) may end before the snooze-expiry task's deadline.
        let snoozeWakeup = DeadlineWakeup()
        let relay = EventRelay(observe: { if $0.kind == .snoozed { snoozeWakeup.nudge() } })
        // One router for everything that words announcements: the configuration's routes plus the
        // subscriptions made from chat, stored in the same database (issue 12).
        let subscriptionTable = try SubscriptionTable(database: database)
        let router = configuration.router
        router.table.replaceSubscriptions(try await subscriptionTable.loadSubscriptions())
        let formatter = configuration.announcementFormatter
        // Rooms joined by invitation: stored in the same database, rejoined after a restart.
        let roomRegistry = RoomRegistry(
            settings: configuration.roomRegistrySettings, store: try InvitedRoomTable(database: database),
            send: { messages in
                do {
                    dispatcher.offer(try await outbox.enqueue(messages))
                } catch {
                    logger.error("could not store a room greeting or invitation answer", metadata: ["error": "\(error)"])
                }
            },
            logger: logger)
        try await roomRegistry.load()

        let service: any IncidentService
        var alerts: (any AlertEventIntake)?
        var replayable: EmbeddedIncidentStore?
        var routingKeys: [String: String] = [:]
        var webhookSecrets: [String] = []
        var serviceNamesByID: [String: String] = [:]
        // Where verified webhook events go: the PagerDuty backend learns number → id on the way.
        var incidentEvents: any IncidentEventSink = relay
        var pagerDutyBackend: PagerDutyBackendService?
        // One set of series with help texts: commands, API latency, build info, and the gauges the
        // intake refreshes from `health` at each scrape.
        let gatewayMetrics = GatewayMetrics(registry: metrics)
        gatewayMetrics.recordBuildInfo(version: TocsinVersion.current)
        var health: [any HealthSource] = [OutboxReadiness(outbox: outbox)]
        var deadlineMaintenance: [DeadlineMaintenance] = []
        var maintenance: [MaintenanceService.Task] = [
            .init(name: "outbox purge", every: .seconds(3600)) {
                _ = try await outbox.purgeDelivered(olderThan: 7 * 86400, now: Date())
            },
        ]
        switch configuration.backend.kind {
        case .embedded:
            // ConfigurationLoader refuses a file without this section; the guard keeps that promise local.
            guard let settings = configuration.backend.embedded else {
                throw ConfigurationError(file: "", problems: [.init(path: "backend.embedded", message: "required when backend.kind is embedded")])
            }
            let store = try EmbeddedIncidentStore(
                database: database,
                services: settings.services.map { EmbeddedService(name: $0.name, team: $0.team) },
                users: (settings.users ?? []).map { EmbeddedUser(name: $0.name, email: $0.email) },
                schedules: (settings.schedules ?? []).map {
                    EmbeddedOnCallSchedule(
                        name: $0.name, levels: $0.levels, shiftSeconds: $0.shiftHours * 3600,
                        start: ISO8601DateFormatter().date(from: $0.start) ?? Date())
                },
                incidentURLBase: configuration.gateway.publicURL,
                events: relay,
                // Same database: !ack/!resolve commit their reply and announcements in one transaction.
                outbox: outbox, announcer: Announcer(router: router, formatter: formatter),
                logger: logger)
            service = store
            alerts = store
            replayable = store
            health.append(EmbeddedStoreHealth(service: store))
            deadlineMaintenance.append(DeadlineMaintenance(
                name: "snooze expiry", nextDue: { try await store.nextSnoozeEnd() },
                work: { _ = try await store.wakeExpiredSnoozes() }, wakeup: snoozeWakeup))
            for definition in settings.services {
                if let key = secret(definition.routingKey) { routingKeys[key] = definition.name }
            }
        case .pagerduty:
            guard let settings = configuration.backend.pagerduty else {
                throw ConfigurationError(file: "", problems: [.init(path: "backend.pagerduty", message: "required when backend.kind is pagerduty")])
            }
            // Its own client, one connection per command that may run at once (HTTPClient.shared
            // has 8 per host); shut down by PagerDutyBackendService at stop.
            let client = PagerDutyHTTPClient(connectionsPerHost: PagerDutyHTTPClient.connections(
                inFlightPerNetwork: configuration.commandSchedulerLimits.maximumInFlight,
                networks: (configuration.irc?.count ?? 0) + (configuration.xmpp?.count ?? 0)))
            let pagerDuty = PagerDutyService(
                configuration: PagerDutyConfiguration(
                    apiToken: secret(settings.apiToken) ?? "",
                    baseURL: settings.baseURL ?? "https://api.pagerduty.com",
                    services: settings.services ?? [:],
                    schedules: settings.schedules ?? [:],
                    escalationPolicies: settings.escalationPolicies ?? [:],
                    requestTimeout: .seconds(Int64(settings.requestTimeoutSeconds ?? 15))),
                httpClient: client,
                logger: logger)
            service = pagerDuty
            health.append(pagerDuty)
            incidentEvents = LearningEventSink(base: relay, service: pagerDuty)
            pagerDutyBackend = PagerDutyBackendService(service: pagerDuty, httpClient: client, logger: logger)
            webhookSecrets = (settings.webhookSecrets ?? []).compactMap(secret)
            serviceNamesByID = Dictionary((settings.services ?? [:]).map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        }

        var handler = CommandHandler(
            parser: CommandParser(prefix: configuration.commandPrefix),
            policy: configuration.authorizationPolicy,
            service: InstrumentedIncidentService(base: service, observer: gatewayMetrics),
            formatter: formatter,
            logger: logger,
            // The embedded store under the metrics wrapper: !ack/!resolve commit in one transaction.
            transactional: replayable)
        handler.rooms = roomRegistry
        handler.router = router
        handler.subscriptionStore = subscriptionTable
        handler.queries = (service as? any IncidentQueries).map { InstrumentedIncidentQueries(base: $0, observer: gatewayMetrics) }
        handler.knownServices = configuration.subscribableServices
        var assembled = Gateway(commands: handler, router: router, outbox: outbox, dispatcher: dispatcher, formatter: formatter, logger: logger,
                              rateLimiter: CommandRateLimiter(limits: configuration.commandRateLimits),
                              scheduler: CommandScheduler(limits: configuration.commandSchedulerLimits))
        assembled.commandObserver = gatewayMetrics
        // Incident pages, signing in with chat, recorded chat and postmortems (issue 13): on when
        // gateway.public_url is set (GatewayAssembly+Pages.swift).
        let recordingRules = RecordingRulesSource(configuration.recordingRules)
        let pages = try Self.incidentPages(configuration, database: database, service: service, router: assembled.router,
                                           policy: handler.policySource, recording: recordingRules, logger: logger)
        assembled.commands.web = pages?.signIn
        // Chat is recorded only with the pages on; !help and the greeting say so where it is.
        let recording = pages == nil ? nil : recordingRules
        assembled.commands.recording = recording
        assembled.recorder = pages?.recorder
        if let pages {
            maintenance.append(.init(name: "incident pages prune", every: .seconds(3600)) { try await pages.prune() })
        }
        let gateway = assembled
        // The policy and recording rules are read at each greeting, so it describes a reload's.
        roomRegistry.setGreeting { [policy = handler.policySource, supported = handler.service.supportedCommands,
                                    backendName = handler.service.backendName, prefix = handler.parser.prefix,
                                    router = gateway.router, recording] room in
            RoomGreeter(policy: policy.current, supported: supported, backendName: backendName, prefix: prefix, router: router,
                        recording: recording?.current)
                .greeting(for: room)
        }
        // A room the bot left or was kicked from hears nothing more: its chat subscriptions go too.
        roomRegistry.setOnForget { [router, subscriptionTable, logger] destination in
            for rule in router.table.chatSubscriptions where rule.destination.folded == destination.folded {
                guard case .removed = router.table.remove(rule) else { continue }
                do {
                    try await subscriptionTable.deleteSubscription(rule)
                } catch {
                    logger.error("could not delete the subscription of a room the bot left", metadata: ["error": "\(error)"])
                }
            }
        }
        relay.connect(gateway)
        // Events committed just before a crash may never have reached the outbox: publish the
        // recent window again; the outbox keeps each (event, room) once.
        if let replayable {
            for event in try await replayable.recordedEvents(since: Date().addingTimeInterval(-maxAge)) {
                do {
                    try await gateway.publish(event)
                } catch {
                    logger.error("replayed incident event not stored; it is tried again at the next start",
                                 metadata: ["event": "\(event.id)", "error": "\(error)"])
                }
            }
        }

        // IRCv3 STS policies live in the same database, so a restart never reopens plaintext.
        let stsPolicies = try STSPolicyTable(database: database)
        // Every chat connection is a transport for the outbox, a lifecycle service and a health source.
        let hooks = GatewayTransportHooks(
            // Enqueue only: the command runs on the gateway's scheduler, the transport reads on.
            onMessage: { gateway.submit($0) },
            onReady: { dispatcher.wake(network: $0) },
            stsPolicies: stsPolicies,
            rooms: roomRegistry)
        let connections: [GatewayTransportFactory.Connection] =
            try (configuration.irc ?? []).map { network in
                try transportFactory.irc(try Self.ircConfiguration(network, secret: secret), hooks)
            }
            + (configuration.xmpp ?? []).map { network in
                try transportFactory.xmpp(try Self.xmppConfiguration(network, secret: secret), hooks)
            }
        let transports: [any ChatTransport] = connections
        roomRegistry.attach(connections.compactMap { $0 as? any RoomControl })
        var services: [any Service] = connections
        // First, so the group stops it last: its HTTP client outlives every command.
        if let pagerDutyBackend { services.insert(pagerDutyBackend, at: 0) }
        health += connections.map { $0 as any HealthSource }
        services.append(DispatcherService(dispatcher: dispatcher, transports: transports))
        services.append(MaintenanceService(tasks: maintenance, deadlineTasks: deadlineMaintenance, logger: logger))
        if let pages { services.append(pages.recordingService) }

        let http = configuration.http
        let intakeConfiguration = IntakeConfiguration(
                routingKeys: routingKeys,
                webhookSecrets: webhookSecrets,
                serviceNamesByPagerDutyID: serviceNamesByID,
                maxBodyBytes: http?.maxBodyBytes ?? 512 * 1024,
                limits: IntakeLimits(
                    headerTimeout: .seconds(http?.headerTimeoutSeconds ?? 10),
                    bodyTimeout: .seconds(http?.bodyTimeoutSeconds ?? 30),
                    maxConnectionsPerAddress: http?.maxConnectionsPerAddress ?? IntakeLimits.defaultMaxConnectionsPerAddress,
                    maxConnections: http?.maxConnections ?? IntakeLimits.defaultMaxConnections))
        let intakeDependencies = IntakeDependencies(
            alerts: alerts, events: incidentEvents, webhookLedger: try SeenWebhookEventTable(database: database),
            health: health, metrics: metrics)
        let pageRoutes = pages?.routes
        let intake = buildIntakeApplication(
            configuration: intakeConfiguration,
            dependencies: intakeDependencies,
            host: http?.host ?? "127.0.0.1",
            port: http?.port ?? 8080,
            logger: logger,
            extraRoutes: pageRoutes)
        self.intake = intake
        self.transports = transports
        self.runtimeServices = services
        self.intakeRouter = buildIntakeRouter(configuration: intakeConfiguration, dependencies: intakeDependencies, logger: logger,
                                              extraRoutes: pageRoutes)
        self.gateway = gateway
        self.reloadTargets = ReloadTargets(
            routes: router.table, policy: handler.policySource,
            connections: Dictionary(connections.compactMap { $0 as? any ReloadableConnection }.map { ($0.network, $0) },
                                    uniquingKeysWith: { first, _ in first }),
            rooms: roomRegistry, recording: recording)
    }

    public static func ircConfiguration(_ network: IRCNetworkSettings, secret: (Secret?) -> String?) throws -> IRCClientConfiguration {
        let mode = network.tls?.mode ?? .implicit
        let tls: IRCClientConfiguration.TLSMode = switch mode {
        case .implicit: .implicit
        case .starttls: .startTLS
        case .plaintext: .plaintext
        }
        var configuration = IRCClientConfiguration(
            network: network.name,
            host: network.host,
            port: network.port ?? (mode == .implicit ? 6697 : 6667),
            tls: tls,
            nick: network.nick)
        configuration.caFile = network.tls?.caFile
        configuration.verifyCertificate = network.tls?.verify ?? true
        configuration.clientCertificateFile = network.tls?.clientCertificate
        configuration.clientKeyFile = network.tls?.clientKey
        configuration.serverName = network.tls?.serverName
        configuration.alternativeNicks = network.alternativeNicks ?? []
        configuration.username = network.username ?? network.nick
        configuration.realname = network.realname ?? "Tocsin incident gateway"
        configuration.serverPassword = secret(network.serverPassword)
        if let sasl = network.sasl {
            switch sasl.mechanism ?? .plain {
            case .plain: configuration.sasl = .plain(account: sasl.account ?? network.nick, password: secret(sasl.password) ?? "")
            case .external: configuration.sasl = .external
            }
        }
        configuration.nickServPassword = secret(network.nickservPassword)
        configuration.rooms = (network.rooms ?? []).map { IRCClientConfiguration.Room(name: $0.name, key: secret($0.key)) }
        configuration.invites = TocsinConfiguration.invitePolicy(network.invites)
        configuration.rejoinAfterKick = network.rejoinAfterKickSeconds.map { .seconds($0) }
        if let flood = network.flood {
            if let burst = flood.burst { configuration.flood.burst = burst }
            if let interval = flood.intervalMilliseconds { configuration.flood.interval = .milliseconds(interval) }
        }
        configuration.replyAsNotice = network.replyWith == "notice"
        return configuration
    }

    public static func xmppConfiguration(_ network: XMPPNetworkSettings, secret: (Secret?) -> String?) throws -> XMPPClientConfiguration {
        let mode = network.tls?.mode ?? .starttls
        let tls: XMPPClientConfiguration.TLSMode = switch mode {
        case .implicit: .directTLS
        case .starttls: .startTLS
        case .plaintext: .plaintext
        }
        var configuration = XMPPClientConfiguration(
            network: network.name,
            jid: try JID(network.jid),
            password: secret(network.password) ?? "",
            port: network.port ?? (mode == .implicit ? 5223 : 5222),
            tls: tls,
            nick: network.nick)
        configuration.host = network.host
        configuration.caFile = network.tls?.caFile
        configuration.serverName = network.tls?.serverName
        configuration.verifyCertificate = network.tls?.verify ?? true
        configuration.allowPlain = network.allowPlain ?? false
        configuration.rooms = try (network.rooms ?? []).map {
            XMPPClientConfiguration.Room(jid: try JID($0.jid), password: secret($0.password))
        }
        configuration.invites = TocsinConfiguration.invitePolicy(network.invites)
        configuration.mucServices = network.mucServices ?? []
        configuration.rejoinAfterKick = network.rejoinAfterKickSeconds.map { .seconds($0) }
        return configuration
    }
}

/// The database table of STS policies is the IRC transport's policy store (same signatures; the
/// storage target does not depend on the IRC client).
extension STSPolicyTable: STSPolicyStore {}

/// The invited-rooms table is the core's store (same shapes; the storage target does not depend on
/// the core).
extension InvitedRoomTable: InvitedRoomStore {
    public func loadInvitedRooms() async throws -> [InvitedRoom] {
        try await invitedRooms().map { record in
            InvitedRoom(destination: .room(record.room, on: record.network),
                        inviter: record.inviter.flatMap(ChatIdentity.init(configString:)),
                        inviterName: record.inviterName, invitedAt: record.invitedAt)
        }
    }

    public func save(_ room: InvitedRoom) async throws {
        try await saveInvitedRoom(InvitedRoomRecord(
            network: room.destination.network, room: room.room, inviter: room.inviter?.description,
            inviterName: room.inviterName, invitedAt: room.invitedAt))
    }

    public func forget(_ destination: ChatDestination) async throws {
        guard case .room(let room) = destination.conversation else { return }
        try await removeInvitedRoom(network: destination.network, room: room)
    }
}
