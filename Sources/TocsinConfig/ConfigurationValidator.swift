import Foundation
import TocsinCore

/// Checks what decoding cannot: ranges, references between sections, secrets that can be read.
/// Collects every problem instead of stopping at the first, so one `check-config` run shows all.
struct ConfigurationValidator {
    var configuration: TocsinConfiguration
    var environment: [String: String]
    private var found: [ConfigurationProblem] = []

    init(configuration: TocsinConfiguration, environment: [String: String]) {
        self.configuration = configuration
        self.environment = environment
    }

    func problems() -> [ConfigurationProblem] {
        var copy = self
        copy.run()
        return copy.found
    }

    private mutating func add(_ path: String, _ message: String, isUnreadableSecret: Bool = false) {
        found.append(ConfigurationProblem(path: path, message: message, isUnreadableSecret: isUnreadableSecret))
    }

    private mutating func run() {
        let c = configuration
        if let prefix = c.gateway.commandPrefix, prefix.isEmpty || prefix.contains(where: \.isWhitespace) || prefix.count > 3 {
            add("gateway.command_prefix", "expected 1–3 non-space characters, got \"\(prefix)\"")
        }
        if c.gateway.database.isEmpty { add("gateway.database", "expected a file path") }
        if let length = c.gateway.summaryMaxLength, !(40...1000).contains(length) {
            add("gateway.summary_max_length", "expected 40–1000 characters, got \(length)")
        }
        if let limit = c.gateway.listLimit, !(1...50).contains(limit) {
            add("gateway.list_limit", "expected 1–50 incidents, got \(limit)")
        }
        if let age = c.gateway.outboxMaxAgeSeconds, age < 60 { add("gateway.outbox_max_age_seconds", "expected at least 60") }
        if let bound = c.gateway.outboxMaxPendingPerRoom, !(10...100_000).contains(bound) {
            add("gateway.outbox_max_pending_per_room", "expected 10–100000, got \(bound)")
        }
        if let inFlight = c.gateway.commands?.maxInFlightPerNetwork, !(1...1000).contains(inFlight) {
            add("gateway.commands.max_in_flight_per_network", "expected 1–1000, got \(inFlight)")
        }
        if let queued = c.gateway.commands?.maxQueuedPerNetwork, !(0...100_000).contains(queued) {
            add("gateway.commands.max_queued_per_network", "expected 0–100000, got \(queued)")
        }
        if let notice = c.gateway.commands?.workingNoticeSeconds, !(notice > 0 && notice <= 600) {
            add("gateway.commands.working_notice_seconds", "expected more than 0 and at most 600, got \(notice)")
        }
        for (name, bucket) in [("per_user", c.gateway.rateLimits?.perUser), ("per_room", c.gateway.rateLimits?.perRoom)] {
            if let burst = bucket?.burst, !(1...1000).contains(burst) {
                add("gateway.rate_limits.\(name).burst", "expected 1–1000 commands, got \(burst)")
            }
            if let rate = bucket?.perMinute, !(rate > 0 && rate <= 6000) {
                add("gateway.rate_limits.\(name).per_minute", "expected more than 0 and at most 6000, got \(rate)")
            }
        }
        if let port = c.http?.port { checkPort(port, "http.port") }
        if let max = c.http?.maxBodyBytes, !(1024...(16 << 20)).contains(max) {
            add("http.max_body_bytes", "expected 1024–16777216")
        }
        if let seconds = c.http?.headerTimeoutSeconds, !(1...300).contains(seconds) {
            add("http.header_timeout_seconds", "expected 1–300 seconds, got \(seconds)")
        }
        if let seconds = c.http?.bodyTimeoutSeconds, !(1...3600).contains(seconds) {
            add("http.body_timeout_seconds", "expected 1–3600 seconds, got \(seconds)")
        }
        if let perAddress = c.http?.maxConnectionsPerAddress, !(1...100_000).contains(perAddress) {
            add("http.max_connections_per_address", "expected 1–100000, got \(perAddress)")
        }
        if let total = c.http?.maxConnections, !(1...100_000).contains(total) {
            add("http.max_connections", "expected 1–100000, got \(total)")
        }
        if let perAddress = c.http?.maxConnectionsPerAddress, let total = c.http?.maxConnections, perAddress > total {
            add("http.max_connections_per_address", "expected at most http.max_connections (\(total)), got \(perAddress)")
        }
        found += c.pagesProblems()
        checkBackend(c.backend)
        checkNetworks()
        for (index, mapping) in (c.identities ?? []).enumerated() {
            let path = "identities[\(index)]"
            if !mapping.email.contains("@") { add("\(path).email", "expected an email address, got \"\(mapping.email)\"") }
            if case .ircAccount(let network, _) = mapping.chat, !ircNetworkNames.contains(network) {
                add("\(path).chat", "no IRC network named \"\(network)\" under irc:")
            }
        }
        checkRoutes()
        if let level = c.logging?.level,
           !["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level) {
            add("logging.level", "expected one of trace, debug, info, notice, warning, error, critical")
        }
    }

    private var ircNetworkNames: Set<String> { Set((configuration.irc ?? []).map(\.name)) }

    private mutating func checkPort(_ port: Int, _ path: String) {
        if !(1...65535).contains(port) { add(path, "expected 1–65535, got \(port)") }
    }

    private mutating func checkSecret(_ secret: Secret?, _ path: String) {
        guard let secret else { return }
        if case .failure(let error) = secret.resolve(environment: environment) {
            add(path, error.reason, isUnreadableSecret: true)
        }
    }

    private mutating func checkBackend(_ backend: BackendSettings) {
        switch backend.kind {
        case .embedded:
            guard let embedded = backend.embedded else {
                add("backend.embedded", "required when backend.kind is embedded")
                return
            }
            if embedded.services.isEmpty { add("backend.embedded.services", "expected at least one service") }
            var seen = Set<String>()
            for (index, service) in embedded.services.enumerated() {
                let path = "backend.embedded.services[\(index)]"
                if service.name.isEmpty || service.name.contains(where: \.isWhitespace) {
                    add("\(path).name", "expected a name without spaces (it is typed in !trigger)")
                }
                if !seen.insert(service.name.lowercased()).inserted { add("\(path).name", "duplicate service \"\(service.name)\"") }
                checkSecret(service.routingKey, "\(path).routing_key")
            }
            for (index, user) in (embedded.users ?? []).enumerated() where !user.email.contains("@") {
                add("backend.embedded.users[\(index)].email", "expected an email address")
            }
            for (index, schedule) in (embedded.schedules ?? []).enumerated() {
                let path = "backend.embedded.schedules[\(index)]"
                if schedule.levels.isEmpty || schedule.levels.contains(where: \.isEmpty) {
                    add("\(path).levels", "expected at least one level, each with at least one email")
                }
                if schedule.shiftHours < 1 { add("\(path).shift_hours", "expected at least 1") }
                if ISO8601DateFormatter().date(from: schedule.start) == nil {
                    add("\(path).start", "expected an ISO 8601 time like 2026-01-05T09:00:00Z")
                }
            }
        case .pagerduty:
            guard let pagerduty = backend.pagerduty else {
                add("backend.pagerduty", "required when backend.kind is pagerduty")
                return
            }
            checkSecret(pagerduty.apiToken, "backend.pagerduty.api_token")
            for (index, secret) in (pagerduty.webhookSecrets ?? []).enumerated() {
                checkSecret(secret, "backend.pagerduty.webhook_secrets[\(index)]")
            }
            if let url = pagerduty.baseURL, URL(string: url)?.scheme?.hasPrefix("http") != true {
                add("backend.pagerduty.base_url", "expected an http(s) URL")
            }
            if let timeout = pagerduty.requestTimeoutSeconds, !(1...300).contains(timeout) {
                add("backend.pagerduty.request_timeout_seconds", "expected 1–300")
            }
        }
    }

    private mutating func checkNetworks() {
        var names = Set<String>()
        for (index, network) in (configuration.irc ?? []).enumerated() {
            let path = "irc[\(index)]"
            if network.name.isEmpty || !names.insert(network.name).inserted { add("\(path).name", "expected a unique, non-empty network name") }
            if network.host.isEmpty { add("\(path).host", "expected a host name") }
            if let port = network.port { checkPort(port, "\(path).port") }
            if network.nick.isEmpty || network.nick.contains(where: { $0.isWhitespace || $0 == "," || $0 == ":" }) {
                add("\(path).nick", "expected a nick without spaces, commas or colons")
            }
            checkTLS(network.tls, "\(path).tls")
            checkSecret(network.serverPassword, "\(path).server_password")
            checkSecret(network.nickservPassword, "\(path).nickserv_password")
            if let sasl = network.sasl {
                switch sasl.mechanism ?? .plain {
                case .plain:
                    if sasl.account == nil { add("\(path).sasl.account", "required for SASL PLAIN") }
                    if sasl.password == nil { add("\(path).sasl.password", "required for SASL PLAIN") }
                    checkSecret(sasl.password, "\(path).sasl.password")
                case .external:
                    if network.tls?.clientCertificate == nil { add("\(path).tls.client_certificate", "required for SASL EXTERNAL") }
                }
            }
            for (roomIndex, room) in (network.rooms ?? []).enumerated() {
                if !(room.name.first.map { "#&!+".contains($0) } ?? false) || room.name.contains(where: { $0 == " " || $0 == "," }) {
                    add("\(path).rooms[\(roomIndex)].name", "expected a channel like #ops, got \"\(room.name)\"")
                }
                checkSecret(room.key, "\(path).rooms[\(roomIndex)].key")
            }
            if let flood = network.flood {
                if let burst = flood.burst, !(1...20).contains(burst) { add("\(path).flood.burst", "expected 1–20") }
                if let interval = flood.intervalMilliseconds, !(100...10000).contains(interval) {
                    add("\(path).flood.interval_ms", "expected 100–10000")
                }
            }
            if let reply = network.replyWith, !["privmsg", "notice"].contains(reply) {
                add("\(path).reply_with", "expected privmsg or notice")
            }
            checkMaxRooms(network.invites, path)
        }
        for (index, network) in (configuration.xmpp ?? []).enumerated() {
            let path = "xmpp[\(index)]"
            if network.name.isEmpty || !names.insert(network.name).inserted { add("\(path).name", "expected a unique, non-empty network name") }
            if !isBareJID(network.jid) { add("\(path).jid", "expected a bare JID like bot@example.org") }
            if let port = network.port { checkPort(port, "\(path).port") }
            checkTLS(network.tls, "\(path).tls")
            checkSecret(network.password, "\(path).password")
            for (roomIndex, room) in (network.rooms ?? []).enumerated() {
                if !isBareJID(room.jid) { add("\(path).rooms[\(roomIndex)].jid", "expected a room JID like ops@conference.example.org") }
                checkSecret(room.password, "\(path).rooms[\(roomIndex)].password")
            }
            for (serviceIndex, service) in (network.mucServices ?? []).enumerated()
            where service.isEmpty || service.contains(where: { "@/".contains($0) || $0.isWhitespace }) {
                add("\(path).muc_services[\(serviceIndex)]", "expected a service domain like conference.example.org, got \"\(service)\"")
            }
            checkMaxRooms(network.invites, path)
        }
    }

    /// `invites.max_rooms`: 0 refuses every invitation; more than 1,000 rooms is a typo.
    private mutating func checkMaxRooms(_ invites: InviteSettings?, _ path: String) {
        if let maxRooms = invites?.maxRooms, !(0...1000).contains(maxRooms) {
            add("\(path).invites.max_rooms", "expected 0–1000, got \(maxRooms)")
        }
    }

    private mutating func checkTLS(_ tls: TLSSettings?, _ path: String) {
        guard let tls else { return }
        if let ca = tls.caFile, !FileManager.default.isReadableFile(atPath: ca) {
            add("\(path).ca_file", "cannot read \(ca)")
        }
        if (tls.clientCertificate == nil) != (tls.clientKey == nil) {
            add(path, "client_certificate and client_key go together")
        }
    }

    private func isBareJID(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && !text.contains("/") && !text.contains(where: \.isWhitespace)
    }

    private mutating func checkRoutes() {
        let networks = Set((configuration.irc ?? []).map(\.name) + (configuration.xmpp ?? []).map(\.name))
        let services = configuration.backend.kind == .embedded
            ? Set((configuration.backend.embedded?.services ?? []).map { $0.name.lowercased() }) : nil
        for (index, route) in (configuration.routes ?? []).enumerated() {
            let path = "routes[\(index)]"
            if !networks.contains(route.network) { add("\(path).network", "no network named \"\(route.network)\" under irc: or xmpp:") }
            if route.room.isEmpty { add("\(path).room", "expected a room") }
            if let services {
                for name in route.services ?? [] where !services.contains(name.lowercased()) {
                    add("\(path).services", "no service named \"\(name)\" under backend.embedded.services")
                }
            }
        }
    }
}
