import Foundation
import Logging
import Synchronization
import TocsinConfig
import TocsinCore

/// What a reload asks of a running chat connection besides leaving a room: joining a configured
/// room now (and on every reconnect after), and new IRC flood settings. Nothing here reconnects.
public protocol ReloadableConnection: RoomControl {
    func join(room: String, key: String?) async
    /// IRC only; an XMPP connection has no flood settings and ignores it.
    func applyFlood(burst: Int?, interval: Duration?) async
}

/// The running parts a reload changes in place; built by ``GatewayAssembly``.
public struct ReloadTargets: Sendable {
    public var routes: RouteTable
    public var policy: PolicySource
    /// The chat connections by network name.
    public var connections: [String: any ReloadableConnection]
    /// Invitation policies and which rooms are configured (nil in tests without rooms).
    public var rooms: RoomRegistry?
    /// What is recorded where, read by the recorder, the greeting and `!help` (nil: pages off).
    public var recording: RecordingRulesSource?

    public init(routes: RouteTable, policy: PolicySource, connections: [String: any ReloadableConnection], rooms: RoomRegistry? = nil,
                recording: RecordingRulesSource? = nil) {
        self.routes = routes
        self.policy = policy
        self.connections = connections
        self.rooms = rooms
        self.recording = recording
    }
}

/// Re-reads `tocsin.yml` (SIGHUP, `systemctl reload`) and applies what changed without dropping a
/// connection or an invited room: configured rooms joined and left by the difference, routes,
/// identities and policies, invitation policies, recording rules, IRC flood settings.
///
/// A file that does not load is refused with its key-path problems and the running configuration
/// is kept whole. Changes that need a new connection or process are logged with their key paths
/// and not applied; they stay pending (reported again at every reload) until a restart.
public final class GatewayReloader: Sendable {
    /// What one reload did.
    public struct Outcome: Sendable {
        public var applied: [String] = []
        public var restartNeeded: [String] = []
        /// The file's problems when it was refused (nothing applied).
        public var refused: ConfigurationError?
    }

    private let path: String
    private let environment: [String: String]
    private let targets: ReloadTargets
    private let logger: Logger
    /// The configuration in force: the file as last loaded, except the parts that need a restart,
    /// which keep the values the process runs with.
    private let effective: Mutex<TocsinConfiguration>

    public init(path: String, running configuration: TocsinConfiguration, targets: ReloadTargets,
                environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) {
        self.path = path
        self.environment = environment
        self.targets = targets
        self.logger = logger
        self.effective = Mutex(configuration)
    }

    /// Loads the file and applies it. Never throws: a bad file is refused and logged.
    @discardableResult
    public func reload() async -> Outcome {
        let new: TocsinConfiguration
        do {
            new = try ConfigurationLoader.load(path: path, environment: environment)
        } catch {
            logger.error("configuration reload refused; the running configuration is kept", metadata: [
                "file": "\(path)", "problems": "\(error.problems.map(\.description).joined(separator: "; "))",
            ])
            return Outcome(refused: error)
        }
        let old = effective.withLock { $0 }
        let change = ConfigurationChange(from: old, to: new)
        let next = Self.effective(old: old, new: new)
        var outcome = Outcome(restartNeeded: change.restartNeeded)
        if change.rateLimitsChanged { outcome.restartNeeded.append("gateway.rate_limits") }

        if change.routesChanged {
            targets.routes.replaceConfigured(new.routeRules)
            outcome.applied.append("routes (\(new.routes?.count ?? 0))")
        }
        if change.policiesChanged {
            targets.policy.replace(new.authorizationPolicy)
            outcome.applied.append("identities and room policies")
        }
        if let recording = targets.recording, recording.current != new.recordingRules {
            recording.replace(new.recordingRules)
            outcome.applied.append("recording rules")
        }
        if change.invitesChanged || !change.roomsToJoin.isEmpty || !change.roomsToLeave.isEmpty {
            // Which rooms are configured decides kicks and `!leave`; `invites` decides invitations.
            targets.rooms?.update(next.roomRegistrySettings)
            if change.invitesChanged { outcome.applied.append("invitation policies") }
        }
        for (network, rooms) in change.roomsToLeave.sorted(by: { $0.key < $1.key }) {
            guard let connection = targets.connections[network] else { continue }
            for room in rooms {
                await connection.leave(room: room, reason: "removed from Tocsin's configuration")
                outcome.applied.append("left \(room) on \(network)")
            }
        }
        for (network, rooms) in change.roomsToJoin.sorted(by: { $0.key < $1.key }) {
            guard let connection = targets.connections[network] else { continue }
            for room in rooms {
                await connection.join(room: room.name, key: room.key.flatMap { try? $0.resolve(environment: environment).get() })
                outcome.applied.append("joining \(room.name) on \(network)")
            }
        }
        for (network, flood) in change.flood.sorted(by: { $0.key < $1.key }) {
            guard let connection = targets.connections[network] else { continue }
            await connection.applyFlood(burst: flood?.burst, interval: flood?.intervalMilliseconds.map { .milliseconds($0) })
            outcome.applied.append("flood settings of \(network)")
        }

        effective.withLock { $0 = next }
        if outcome.applied.isEmpty && outcome.restartNeeded.isEmpty {
            logger.notice("configuration reloaded: nothing changed", metadata: ["file": "\(path)"])
        } else {
            logger.notice("configuration reloaded", metadata: [
                "file": "\(path)", "applied": "\(outcome.applied.joined(separator: "; "))",
            ])
        }
        if !outcome.restartNeeded.isEmpty {
            logger.warning("some changes need a restart and are not applied", metadata: [
                "keys": "\(outcome.restartNeeded.joined(separator: ", "))",
            ])
        }
        return outcome
    }

    /// The new file with the parts a reload cannot apply kept as they run: the database, HTTP,
    /// backend and rate limits, and each network's connection settings (networks added in the
    /// file are left out, removed ones kept). What is left pending differs again next time.
    static func effective(old: TocsinConfiguration, new: TocsinConfiguration) -> TocsinConfiguration {
        var result = new
        result.gateway.database = old.gateway.database
        result.gateway.rateLimits = old.gateway.rateLimits
        result.http = old.http
        result.backend = old.backend
        let newIRC = Dictionary((new.irc ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        result.irc = old.irc.map { networks in
            networks.map { running in
                guard let file = newIRC[running.name] else { return running }
                var kept = running
                kept.rooms = file.rooms
                kept.flood = file.flood
                kept.invites = file.invites
                return kept
            }
        }
        let newXMPP = Dictionary((new.xmpp ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        result.xmpp = old.xmpp.map { networks in
            networks.map { running in
                guard let file = newXMPP[running.name] else { return running }
                var kept = running
                kept.rooms = file.rooms
                kept.invites = file.invites
                return kept
            }
        }
        return result
    }
}
