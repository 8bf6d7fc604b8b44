import IRC
import Logging

/// Connection registration as a value: `STARTTLS` (optional) → `CAP LS 302` with `NICK`/`USER`
/// → `CAP REQ` → SASL → `CAP END` → 001 → end of MOTD.
///
/// Follows IRCv3 "Capability Negotiation" (version 302, multi-line `LS`), "SASL 3.1" and RFC 2812
/// §3.1. Each state is an enum case holding only what that state needs, so an impossible
/// transition cannot be written; the NIO side feeds it events (``start()``,
/// ``tlsEstablished()``, ``receive(_:now:)``, ``tick(now:)``) and performs the ``Output``s.
/// Nothing here does I/O, which is what lets the tests walk it line by line.
public struct IRCRegistrationStateMachine: Sendable {
    /// What registration needs from the configuration.
    public struct Settings: Sendable, Hashable {
        public var nick: String
        public var alternativeNicks: [String]
        public var username: String
        public var realname: String
        public var serverPassword: String?
        public var sasl: IRCClientConfiguration.SASL?
        /// `nickserv_password` is configured: when SASL is unavailable or fails, registration goes
        /// on and identifies afterwards. Without it a bot configured for SASL never registers
        /// unidentified: services would rename it (Guest…) and rooms that need an account refuse it.
        public var nickServFallback: Bool
        public var startTLS: Bool
        /// The connection is (or, with STARTTLS, will be) encrypted: decides what an IRCv3 `sts`
        /// value means (reconnect over TLS, or a policy to remember).
        public var secureTransport: Bool
        /// The server's certificate is verified: only then is an `sts` policy worth remembering
        /// (an unverified TLS peer could be anyone).
        public var certificateVerified: Bool
        /// How long to wait for the end of the MOTD after 001 before carrying on without it.
        public var motdTimeout: Duration

        public init(
            nick: String, alternativeNicks: [String] = [], username: String, realname: String,
            serverPassword: String? = nil, sasl: IRCClientConfiguration.SASL? = nil, nickServFallback: Bool = false,
            startTLS: Bool = false, secureTransport: Bool? = nil, certificateVerified: Bool = true,
            motdTimeout: Duration = .seconds(10)
        ) {
            self.nick = nick
            self.alternativeNicks = alternativeNicks
            self.username = username
            self.realname = realname
            self.serverPassword = serverPassword
            self.sasl = sasl
            self.nickServFallback = nickServFallback
            self.startTLS = startTLS
            self.secureTransport = secureTransport ?? startTLS
            self.certificateVerified = certificateVerified
            self.motdTimeout = motdTimeout
        }

        public init(configuration: IRCClientConfiguration) {
            self.init(
                nick: configuration.nick, alternativeNicks: configuration.alternativeNicks,
                username: configuration.username, realname: configuration.realname,
                serverPassword: configuration.serverPassword, sasl: configuration.sasl,
                nickServFallback: configuration.nickServPassword != nil, startTLS: configuration.tls == .startTLS, secureTransport: configuration.tls != .plaintext,
                certificateVerified: configuration.verifyCertificate)
        }
    }

    /// The capabilities Tocsin asks for when the server offers them.
    public static let wantedCapabilities: [String] = [
        "sasl", "server-time", "message-tags", "account-tag", "extended-join", "account-notify",
        "echo-message", "multi-prefix", "invite-notify", "cap-notify", "batch", "labeled-response",
    ]

    /// How SASL went, for logs, health and the NickServ fallback.
    public enum SASLOutcome: Sendable, Hashable {
        case notConfigured
        /// The server offers no SASL (or not our mechanism).
        case unavailable
        case succeeded
        case failed
    }

    /// What registration ended with.
    public struct Registration: Sendable, Hashable {
        public var nick: String
        public var capabilities: Set<String>
        /// The services account we are logged in as (900 RPL_LOGGEDIN), if any.
        public var account: String?
        public var sasl: SASLOutcome
    }

    /// What the connection must do.
    public enum Output: Sendable, Hashable {
        case send(IRCMessage)
        /// Put TLS on the connection now (after 670), before anything else is sent or read.
        case upgradeToTLS
        /// Registration is complete (001 and the end of the MOTD, or its timeout).
        case registered(Registration)
        /// The enabled capabilities changed after registration (cap-notify).
        case capabilitiesChanged(Set<String>)
        case log(Logger.Level, String)
        /// Registration cannot succeed on this connection; close it with this reason.
        case fail(String)
        /// IRCv3 `sts` on a plaintext connection: close it and reconnect with TLS to `port`
        /// (https://ircv3.net/specs/extensions/sts, "Upgrading to a secure connection").
        case stsUpgrade(port: Int)
        /// IRCv3 `sts` on a verified TLS connection: refuse plaintext to this host for `duration`
        /// (`.zero` removes the policy). `port` is the value's own port key, if it had one.
        case stsPolicy(port: Int?, duration: Duration)
    }

    // MARK: States

    struct CapabilityListing: Sendable, Hashable {
        var offered: CapabilityList?
    }

    struct CapabilityRequest: Sendable, Hashable {
        var offered: CapabilityList
        var enabled: Set<String> = []
        /// Each `CAP REQ` sent and not yet answered, oldest first.
        var outstanding: [[String]] = []
    }

    struct SASLExchange: Sendable, Hashable {
        enum Step: Sendable, Hashable { case awaitingContinuation, sentCredentials }
        var enabled: Set<String>
        var mechanism: String
        var step: Step = .awaitingContinuation
        var account: String?
    }

    struct AwaitingWelcome: Sendable, Hashable {
        var enabled: Set<String>
        var account: String?
        var sasl: SASLOutcome
    }

    struct Welcomed: Sendable, Hashable {
        var enabled: Set<String>
        var account: String?
        var sasl: SASLOutcome
        var welcomedAt: ContinuousClock.Instant
    }

    struct Registered: Sendable, Hashable {
        var registration: Registration
    }

    enum State: Sendable, Hashable {
        case idle
        case awaitingSTARTTLS
        case upgradingTLS
        case listingCapabilities(CapabilityListing)
        case requestingCapabilities(CapabilityRequest)
        case authenticating(SASLExchange)
        case awaitingWelcome(AwaitingWelcome)
        case awaitingEndOfMOTD(Welcomed)
        case registered(Registered)
        case failed
    }

    public let settings: Settings
    private(set) var state: State = .idle
    /// Survives every state up to 001: a 433 can come at any point before it.
    public private(set) var nicks: NickChooser

    public init(settings: Settings) {
        self.settings = settings
        self.nicks = NickChooser(preferred: settings.nick, alternatives: settings.alternativeNicks)
    }

    // MARK: Queries

    public var isRegistered: Bool {
        if case .registered = state { return true }
        return false
    }

    /// True once 001 arrived (the server accepts commands such as JOIN).
    public var isWelcomed: Bool {
        switch state {
        case .awaitingEndOfMOTD, .registered: true
        default: false
        }
    }

    /// True from sending `STARTTLS` until the TLS handshake completed: nothing may be written.
    public var isNegotiatingTLS: Bool {
        switch state {
        case .awaitingSTARTTLS, .upgradingTLS: true
        default: false
        }
    }

    public var registration: Registration? {
        if case .registered(let registered) = state { return registered.registration }
        return nil
    }

    /// Capabilities enabled so far.
    public var enabledCapabilities: Set<String> {
        switch state {
        case .idle, .awaitingSTARTTLS, .upgradingTLS, .listingCapabilities, .failed: []
        case .requestingCapabilities(let request): request.enabled
        case .authenticating(let exchange): exchange.enabled
        case .awaitingWelcome(let waiting): waiting.enabled
        case .awaitingEndOfMOTD(let welcomed): welcomed.enabled
        case .registered(let registered): registered.registration.capabilities
        }
    }

    /// When ``tick(now:)`` next has something to do: the end-of-MOTD timeout after 001.
    public var nextDeadline: ContinuousClock.Instant? {
        if case .awaitingEndOfMOTD(let welcomed) = state { return welcomed.welcomedAt + settings.motdTimeout }
        return nil
    }

    /// A short name of the current state, for logs and health.
    public var phase: String {
        switch state {
        case .idle: "idle"
        case .awaitingSTARTTLS: "awaiting STARTTLS"
        case .upgradingTLS: "TLS handshake"
        case .listingCapabilities: "listing capabilities"
        case .requestingCapabilities: "requesting capabilities"
        case .authenticating: "SASL authentication"
        case .awaitingWelcome: "awaiting welcome"
        case .awaitingEndOfMOTD: "awaiting end of MOTD"
        case .registered: "registered"
        case .failed: "failed"
        }
    }

    // MARK: Events

    /// The TCP (or TLS) connection is up.
    public mutating func start() -> [Output] {
        guard case .idle = state else { return [] }
        if settings.startTLS {
            state = .awaitingSTARTTLS
            return [.send(IRCMessage(command: "STARTTLS"))]
        }
        return beginRegistration()
    }

    /// The TLS handshake that followed 670 succeeded.
    public mutating func tlsEstablished() -> [Output] {
        guard case .upgradingTLS = state else { return [] }
        return beginRegistration()
    }

    private mutating func beginRegistration() -> [Output] {
        var out: [Output] = []
        if let password = settings.serverPassword {
            out.append(.send(IRCMessage(command: "PASS", parameters: [password])))
        }
        out.append(.send(IRCMessage(command: "CAP", parameters: ["LS", "302"])))
        out.append(.send(IRCMessage(command: "NICK", parameters: [nicks.current])))
        out.append(.send(IRCMessage(command: "USER", parameters: [settings.username, "0", "*", settings.realname])))
        state = .listingCapabilities(CapabilityListing())
        return out
    }

    /// Timers: the MOTD that never ends.
    public mutating func tick(now: ContinuousClock.Instant) -> [Output] {
        guard case .awaitingEndOfMOTD(let welcomed) = state, now - welcomed.welcomedAt >= settings.motdTimeout else {
            return []
        }
        return finishRegistration(welcomed, reason: "no end of MOTD within \(settings.motdTimeout)")
    }

    /// One message from the server.
    public mutating func receive(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Output] {
        switch state {
        case .awaitingSTARTTLS:
            return receiveBeforeSTARTTLSReply(message)
        case .upgradingTLS:
            // The connection's reader drops every plaintext byte after 670; a line here means
            // plaintext reached us anyway. Nothing said before the handshake can be trusted.
            return refusePlaintext(message, when: "after 670, before the TLS handshake completed")
        default:
            break
        }
        switch message.command {
        case "CAP":
            return receiveCAP(message)
        case "AUTHENTICATE":
            return receiveAuthenticate(message)
        case IRCNumeric.loggedIn:
            // 900 <nick> <nick!ident@host> <account> :You are now logged in as <account>
            guard message.parameters.count >= 3 else { return [] }
            return loggedIn(account: message.parameters[2])
        case IRCNumeric.loggedOut:
            return loggedIn(account: nil)
        case IRCNumeric.saslSuccess, IRCNumeric.saslAlready:
            return saslFinished(succeeded: true, message: message)
        case IRCNumeric.saslFail, IRCNumeric.saslTooLong, IRCNumeric.saslAborted, IRCNumeric.nickLocked:
            return saslFinished(succeeded: false, message: message)
        case IRCNumeric.saslMechs:
            return [.log(.notice, "the server's SASL mechanisms are: \(message.parameters.dropFirst().first ?? "?")")]
        case IRCNumeric.unknownCommand, IRCNumeric.notRegistered:
            return receiveUnknownCommand(message)
        case IRCNumeric.nicknameInUse, IRCNumeric.erroneousNickname, IRCNumeric.nickCollision,
             IRCNumeric.unavailableResource:
            return receiveNickRefusal(message)
        case IRCNumeric.welcome:
            return receiveWelcome(message, now: now)
        case IRCNumeric.endOfMOTD, IRCNumeric.noMOTD:
            guard case .awaitingEndOfMOTD(let welcomed) = state else { return [] }
            return finishRegistration(welcomed, reason: nil)
        case IRCNumeric.passwordMismatch:
            state = .failed
            return [.fail("the server refused the connection password (464): check server_password")]
        default:
            return []
        }
    }

    // MARK: STARTTLS

    /// Between `STARTTLS` and 670/691 (IRCv3 `tls` extension) anything else is plaintext that a
    /// machine on the path can forge (a fake 001, a PRIVMSG carrying a command): it aborts the
    /// connection instead of being processed. The only exception is the server's own
    /// pre-registration notice (`:server NOTICE * :*** Looking up your hostname`), which servers
    /// send on accept, before they read STARTTLS; it is ignored, never acted on.
    private mutating func receiveBeforeSTARTTLSReply(_ message: IRCMessage) -> [Output] {
        switch message.command {
        case "670":
            state = .upgradingTLS
            return [.upgradeToTLS]
        case "691":
            state = .failed
            return [.fail("the server refused STARTTLS (691 \(message.parameters.last ?? "")); use tls.mode: implicit on the TLS port, not plaintext")]
        case IRCNumeric.unknownCommand where message.parameters.count >= 2 && message.parameters[1].uppercased() == "STARTTLS":
            state = .failed
            return [.fail("the server does not support STARTTLS; use tls.mode: implicit on its TLS port")]
        case "NOTICE" where Self.isPreRegistrationServerNotice(message):
            return [.log(.debug, "ignoring a server notice received before the STARTTLS reply")]
        default:
            return refusePlaintext(message, when: "before the reply to STARTTLS")
        }
    }

    private static func isPreRegistrationServerNotice(_ message: IRCMessage) -> Bool {
        guard let target = message.parameters.first, target == "*" || target.uppercased() == "AUTH" else { return false }
        guard let source = message.source else { return true }
        return source.isServer
    }

    private mutating func refusePlaintext(_ message: IRCMessage, when: String) -> [Output] {
        state = .failed
        let reason = "STARTTLS: the server sent \(message.command) \(when); plaintext may have been injected on the path, so the connection is aborted and nothing it said was acted on (check the network path, or use tls.mode: implicit on the server's TLS port)"
        return [.log(.error, reason), .fail(reason)]
    }

    // MARK: CAP

    private mutating func receiveCAP(_ message: IRCMessage) -> [Output] {
        guard let list = CapabilityList(message) else { return [] }
        switch (state, list.subcommand) {
        case (.listingCapabilities(var listing), .ls):
            if var offered = listing.offered {
                offered.merge(list)
                listing.offered = offered
            } else {
                listing.offered = list
            }
            guard let offered = listing.offered, offered.isFinal else {
                state = .listingCapabilities(listing)
                return []
            }
            return requestCapabilities(offered: offered)

        case (.requestingCapabilities(var request), .ack):
            if !request.outstanding.isEmpty { request.outstanding.removeFirst() }
            Self.apply(ack: list, to: &request.enabled)
            return continueRequesting(request)

        case (.requestingCapabilities(var request), .nak):
            let refused = request.outstanding.isEmpty ? [] : request.outstanding.removeFirst()
            var out: [Output] = []
            if refused.count > 1 {
                // A REQ is all-or-nothing: ask for each one alone so one refusal costs only itself.
                out.append(.log(.info, "the server refused the capability set \(refused.joined(separator: " ")); requesting them one by one"))
                for capability in refused {
                    request.outstanding.append([capability])
                    out.append(.send(IRCMessage(command: "CAP", parameters: ["REQ", capability])))
                }
            } else if let capability = refused.first {
                out.append(.log(.info, "the server refused capability \(capability)"))
            }
            return out + continueRequesting(request)

        case (.registered(var registered), .ack):
            Self.apply(ack: list, to: &registered.registration.capabilities)
            state = .registered(registered)
            return [.capabilitiesChanged(registered.registration.capabilities)]

        case (.registered(let registered), .new):
            // cap-notify: ask for newly offered capabilities we use (not SASL after registration).
            // A policy announced (or refreshed) with cap-notify is remembered on TLS; on plaintext
            // it takes effect at the next connection, never by dropping an established one.
            var out: [Output] = []
            if let entry = list.capabilities["sts"], settings.secureTransport {
                out = stsOutputs(STSCapability(value: entry ?? ""))
            }
            let wanted = Self.wantedCapabilities.filter {
                $0 != "sasl" && list.contains($0) && !registered.registration.capabilities.contains($0)
            }
            guard !wanted.isEmpty else { return out }
            return out + [.send(IRCMessage(command: "CAP", parameters: ["REQ", wanted.joined(separator: " ")]))]

        case (.registered(var registered), .del):
            let removed = Set(list.capabilities.keys)
            guard !registered.registration.capabilities.isDisjoint(with: removed) else { return [] }
            registered.registration.capabilities.subtract(removed)
            state = .registered(registered)
            return [.capabilitiesChanged(registered.registration.capabilities)]

        default:
            return []
        }
    }

    /// What an `sts` value means on this connection (https://ircv3.net/specs/extensions/sts).
    /// The capability is never requested: it only carries the policy.
    private func stsOutputs(_ sts: STSCapability) -> [Output] {
        if !settings.secureTransport {
            guard let port = sts.port else {
                return [.log(.warning, "the server advertises sts without a valid port; ignoring it")]
            }
            return [.log(.notice, "the server requires TLS (IRCv3 sts): reconnecting with TLS to port \(port)"),
                    .stsUpgrade(port: port)]
        }
        guard let seconds = sts.durationSeconds else {
            return [.log(.debug, "the server advertises sts without a valid duration; no policy to remember")]
        }
        guard settings.certificateVerified else {
            return [.log(.notice, "not remembering the server's sts policy: tls.verify is off, so the server is not authenticated")]
        }
        return [.stsPolicy(port: sts.port, duration: .seconds(seconds))]
    }

    private static func apply(ack: CapabilityList, to enabled: inout Set<String>) {
        for raw in ack.capabilities.keys {
            if raw.hasPrefix("-") {
                enabled.remove(String(raw.dropFirst()))
            } else {
                // Old (3.1 draft) modifiers `~` and `=` carry no meaning for us.
                enabled.insert(String(raw.drop { $0 == "~" || $0 == "=" }))
            }
        }
    }

    private mutating func requestCapabilities(offered: CapabilityList) -> [Output] {
        var out: [Output] = []
        if let entry = offered.capabilities["sts"] {
            let sts = STSCapability(value: entry ?? "")
            let policy = stsOutputs(sts)
            if policy.contains(where: { if case .stsUpgrade = $0 { true } else { false } }) {
                // Stop here: nothing more goes over plaintext (no CAP REQ, no SASL, no CAP END).
                state = .failed
                return policy
            }
            out += policy
        }
        var wanted = Self.wantedCapabilities.filter { offered.contains($0) }

        if let sasl = settings.sasl {
            let mechanism = Self.mechanism(sasl)
            let mechanisms = offered.values(of: "sasl").map { $0.uppercased() }
            if !offered.contains("sasl") {
                // InspIRCd and others hide `sasl` while services are not linked (after a restart).
                if let refusal = unidentifiedRefusal("the server offers no SASL now (services not linked yet?)") {
                    return out + refusal
                }
                out.append(.log(.warning, "the server offers no SASL, so the bot cannot log in to its account during registration; identifying with nickserv_password after registration"))
            } else if !mechanisms.isEmpty && !mechanisms.contains(mechanism) {
                let problem = "the server offers SASL \(mechanisms.joined(separator: ",")) but not \(mechanism); change sasl.mechanism"
                if let refusal = unidentifiedRefusal(problem) { return out + refusal }
                out.append(.log(.error, problem))
                wanted.removeAll { $0 == "sasl" }
            }
        } else {
            wanted.removeAll { $0 == "sasl" }
        }

        guard !wanted.isEmpty else {
            let saslOutcome: SASLOutcome = settings.sasl == nil ? .notConfigured : .unavailable
            return out + endNegotiation(enabled: [], account: nil, sasl: saslOutcome)
        }
        state = .requestingCapabilities(CapabilityRequest(offered: offered, outstanding: [wanted]))
        out.append(.send(IRCMessage(command: "CAP", parameters: ["REQ", wanted.joined(separator: " ")])))
        return out
    }

    private mutating func continueRequesting(_ request: CapabilityRequest) -> [Output] {
        guard request.outstanding.isEmpty else {
            state = .requestingCapabilities(request)
            return []
        }
        if let sasl = settings.sasl, request.enabled.contains("sasl") {
            let mechanism = Self.mechanism(sasl)
            state = .authenticating(SASLExchange(enabled: request.enabled, mechanism: mechanism))
            return [.send(IRCMessage(command: "AUTHENTICATE", parameters: [mechanism]))]
        }
        let outcome: SASLOutcome = settings.sasl == nil ? .notConfigured : .unavailable
        return endNegotiation(enabled: request.enabled, account: nil, sasl: outcome)
    }

    private mutating func endNegotiation(enabled: Set<String>, account: String?, sasl: SASLOutcome) -> [Output] {
        state = .awaitingWelcome(AwaitingWelcome(enabled: enabled, account: account, sasl: sasl))
        return [.send(IRCMessage(command: "CAP", parameters: ["END"]))]
    }

    private static func mechanism(_ sasl: IRCClientConfiguration.SASL) -> String {
        switch sasl {
        case .plain: "PLAIN"
        case .external: "EXTERNAL"
        }
    }

    // MARK: SASL

    private mutating func receiveAuthenticate(_ message: IRCMessage) -> [Output] {
        guard case .authenticating(var exchange) = state, exchange.step == .awaitingContinuation,
              message.parameters.first == "+", let sasl = settings.sasl
        else { return [] }
        exchange.step = .sentCredentials
        state = .authenticating(exchange)
        let payload: [String]
        switch sasl {
        case .plain(let account, let password):
            payload = SASLPlain.authenticateLines(authcid: account, password: password)
        case .external:
            payload = SASLPlain.chunks(ofBase64: "")
        }
        return payload.map { .send(IRCMessage(command: "AUTHENTICATE", parameters: [$0])) }
    }

    private mutating func loggedIn(account: String?) -> [Output] {
        switch state {
        case .authenticating(var exchange):
            exchange.account = account
            state = .authenticating(exchange)
        case .awaitingWelcome(var waiting):
            waiting.account = account
            state = .awaitingWelcome(waiting)
        case .awaitingEndOfMOTD(var welcomed):
            welcomed.account = account
            state = .awaitingEndOfMOTD(welcomed)
        case .registered(var registered):
            registered.registration.account = account
            state = .registered(registered)
        default:
            return []
        }
        if let account {
            return [.log(.info, "logged in to services as \(account)")]
        }
        return [.log(.notice, "logged out of services")]
    }

    private mutating func saslFinished(succeeded: Bool, message: IRCMessage) -> [Output] {
        guard case .authenticating(let exchange) = state else { return [] }
        if succeeded {
            return [.log(.info, "SASL \(exchange.mechanism) authentication succeeded")]
                + endNegotiation(enabled: exchange.enabled, account: exchange.account, sasl: .succeeded)
        }
        let reason = message.parameters.last ?? ""
        let hint: String
        switch settings.sasl {
        case .plain(let account, _):
            hint = "check sasl.account (\(account)) and sasl.password"
        case .external:
            hint = "check that tls.client_certificate is set and its fingerprint is registered with services (NickServ CERT ADD)"
        case nil:
            hint = ""
        }
        let problem = "SASL \(exchange.mechanism) authentication failed (\(message.command) \(reason)): \(hint)"
        if let refusal = unidentifiedRefusal(problem) { return refusal }
        return [.log(.error, "\(problem); continuing, to identify with nickserv_password after registration")]
            + endNegotiation(enabled: exchange.enabled, account: nil, sasl: .failed)
    }

    /// SASL is configured but cannot log the bot in on this connection: without a NickServ
    /// fallback the attempt ends (and is retried with backoff) rather than registering an
    /// unidentified bot that services would rename and that could not speak where an account is
    /// needed. Nil when `nickserv_password` lets registration go on.
    private mutating func unidentifiedRefusal(_ problem: String) -> [Output]? {
        guard !settings.nickServFallback else { return nil }
        state = .failed
        return [.fail("\(problem); not registering without the bot's account, retrying later (set nickserv_password to identify after registration instead)")]
    }

    // MARK: Servers without CAP

    private mutating func receiveUnknownCommand(_ message: IRCMessage) -> [Output] {
        // 421 <nick> CAP :Unknown command — the server predates capability negotiation and
        // registers us on NICK/USER alone.
        guard message.parameters.count >= 2 else { return [] }
        if case .awaitingSTARTTLS = state, message.parameters[1].uppercased() == "STARTTLS" {
            state = .failed
            return [.fail("the server does not support STARTTLS; use tls.mode: implicit on its TLS port")]
        }
        guard message.parameters[1].uppercased() == "CAP" else { return [] }
        guard case .listingCapabilities = state else { return [] }
        if settings.sasl != nil, let refusal = unidentifiedRefusal("SASL is configured but the server has no CAP support") {
            return refusal
        }
        state = .awaitingWelcome(AwaitingWelcome(
            enabled: [], account: nil, sasl: settings.sasl == nil ? .notConfigured : .unavailable))
        var out: [Output] = [.log(.info, "the server does not support capability negotiation (CAP); registering without IRCv3 features")]
        if settings.sasl != nil {
            out.append(.log(.warning, "SASL is configured but the server has no CAP support; identifying with nickserv_password after registration"))
        }
        return out
    }

    // MARK: Nicks

    private mutating func receiveNickRefusal(_ message: IRCMessage) -> [Output] {
        switch state {
        case .idle, .registered, .failed, .awaitingEndOfMOTD:
            // After 001 a refused NICK only means we keep the nick we have.
            return []
        default:
            break
        }
        let refused = nicks.current
        guard let next = nicks.next(afterRefusal: message.command) else {
            state = .failed
            return [.fail("the server refused \(nicks.attempts) nicks (last: \(refused), \(message.command) \(message.parameters.last ?? "")); configure other alternative_nicks")]
        }
        return [
            .log(.notice, "nick \(refused) refused (\(message.command) \(message.parameters.last ?? "")); trying \(next)"),
            .send(IRCMessage(command: "NICK", parameters: [next])),
        ]
    }

    // MARK: Welcome

    private mutating func receiveWelcome(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Output] {
        if let nick = message.parameters.first, !nick.isEmpty { nicks.confirm(nick) }
        var out: [Output] = []
        let welcomed: Welcomed
        switch state {
        case .awaitingWelcome(let waiting):
            welcomed = Welcomed(enabled: waiting.enabled, account: waiting.account, sasl: waiting.sasl, welcomedAt: now)
        case .listingCapabilities:
            // No CAP reply at all: a server that ignores CAP silently.
            welcomed = Welcomed(enabled: [], account: nil, sasl: settings.sasl == nil ? .notConfigured : .unavailable, welcomedAt: now)
        case .requestingCapabilities(let request):
            out.append(.log(.warning, "the server registered us before answering CAP REQ"))
            welcomed = Welcomed(enabled: request.enabled, account: nil, sasl: settings.sasl == nil ? .notConfigured : .unavailable, welcomedAt: now)
        case .authenticating(let exchange):
            out.append(.log(.warning, "the server registered us before SASL finished"))
            welcomed = Welcomed(enabled: exchange.enabled, account: exchange.account, sasl: .failed, welcomedAt: now)
        default:
            return []
        }
        state = .awaitingEndOfMOTD(welcomed)
        out.append(.log(.info, "registered as \(nicks.current)"))
        return out
    }

    private mutating func finishRegistration(_ welcomed: Welcomed, reason: String?) -> [Output] {
        let registration = Registration(
            nick: nicks.current, capabilities: welcomed.enabled, account: welcomed.account, sasl: welcomed.sasl)
        state = .registered(Registered(registration: registration))
        var out: [Output] = []
        if let reason { out.append(.log(.debug, "registration complete: \(reason)")) }
        out.append(.registered(registration))
        return out
    }
}
