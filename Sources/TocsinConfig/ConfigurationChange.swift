/// What a reload (SIGHUP) of `tocsin.yml` changes, worked out before anything is applied.
///
/// Only what the running gateway can take without dropping a connection is applied: configured
/// rooms joined and left by the difference, routes, identities and policies, flood settings, the
/// invitation policy (`invites`). Everything that would need a new connection or a new process
/// (a network's host, TLS, nick or credentials, a network added or removed, the database, the
/// HTTP listener, the backend) is listed in ``restartNeeded`` with its key path and left as it
/// runs, so a reload never silently half-applies a setting.
public struct ConfigurationChange: Sendable, Hashable {
    /// A configured room to join on a network (IRC channel or XMPP room JID, with its key).
    public struct Room: Sendable, Hashable {
        public var name: String
        public var key: Secret?
    }

    /// Per network name: configured rooms new in the file.
    public var roomsToJoin: [String: [Room]] = [:]
    /// Per network name: configured rooms no longer in the file.
    public var roomsToLeave: [String: [String]] = [:]
    /// Per IRC network name: its new `flood` settings.
    public var flood: [String: FloodSettings?] = [:]
    public var routesChanged = false
    /// Identities, `direct_messages`, `default_room_policy` or a room's `policy`.
    public var policiesChanged = false
    public var rateLimitsChanged = false
    /// A network's `invites` (accepted rooms, inviters, `max_rooms`): decided by the core, so applied.
    public var invitesChanged = false
    /// Key paths of changes the running gateway cannot apply, in file order.
    public var restartNeeded: [String] = []

    /// Whether anything at all differs (applied or not).
    public var isEmpty: Bool {
        roomsToJoin.isEmpty && roomsToLeave.isEmpty && flood.isEmpty && !routesChanged && !policiesChanged
            && !rateLimitsChanged && !invitesChanged && restartNeeded.isEmpty
    }

    public init(from old: TocsinConfiguration, to new: TocsinConfiguration) {
        routesChanged = old.routes != new.routes
        policiesChanged = old.identities != new.identities || old.directMessages != new.directMessages
            || old.defaultRoomPolicy != new.defaultRoomPolicy
            || Self.roomPolicies(old) != Self.roomPolicies(new)
        rateLimitsChanged = old.gateway.rateLimits != new.gateway.rateLimits
        if old.gateway.database != new.gateway.database { restartNeeded.append("gateway.database") }
        if old.http != new.http { restartNeeded.append("http") }
        if old.backend != new.backend { restartNeeded.append("backend") }
        compare(old.irc ?? [], new.irc ?? [], section: "irc")
        compare(old.xmpp ?? [], new.xmpp ?? [], section: "xmpp")
    }

    /// One section's networks (`irc` or `xmpp`), matched by name: rooms, flood and invites are
    /// applied; any other difference, or a network added or removed, needs a restart.
    private mutating func compare<Network: ReloadableNetwork>(_ old: [Network], _ new: [Network], section: String) {
        let before = Dictionary(old.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (index, network) in new.enumerated() {
            let path = "\(section)[\(index)]"
            guard let previous = before[network.name] else {
                restartNeeded.append("\(path) (new network \(network.name))")
                continue
            }
            if network.invites != previous.invites { invitesChanged = true }
            if network.connectionSettings != previous.connectionSettings {
                restartNeeded.append("\(path) (connection settings of \(network.name))")
            }
            if network.reloadableFlood != previous.reloadableFlood { flood[network.name] = network.reloadableFlood }
            diffRooms(network: network.name, old: previous.configuredRooms.map(\.room), new: network.configuredRooms.map(\.room))
        }
        let names = Set(new.map(\.name))
        for network in old where !names.contains(network.name) {
            restartNeeded.append("\(section) (network \(network.name) removed)")
        }
    }

    /// Rooms compare by folded name; a room whose key changed is left as joined (the key only
    /// matters when joining).
    private mutating func diffRooms(network: String, old: [Room], new: [Room]) {
        let fold = { (name: String) in name.lowercased() }
        let oldNames = Set(old.map { fold($0.name) })
        let newNames = Set(new.map { fold($0.name) })
        let joining = new.filter { !oldNames.contains(fold($0.name)) }
        let leaving = old.filter { !newNames.contains(fold($0.name)) }.map(\.name)
        if !joining.isEmpty { roomsToJoin[network] = joining }
        if !leaving.isEmpty { roomsToLeave[network] = leaving }
    }

    /// Every room's `policy`, keyed by network and folded room name (the lists' order does not matter).
    private static func roomPolicies(_ configuration: TocsinConfiguration) -> [String: PolicySettings] {
        var policies: [String: PolicySettings] = [:]
        func collect(_ networks: [some ReloadableNetwork]) {
            for network in networks {
                for (room, policy) in network.configuredRooms {
                    if let policy { policies["\(network.name) \(room.name.lowercased())"] = policy }
                }
            }
        }
        collect(configuration.irc ?? [])
        collect(configuration.xmpp ?? [])
        return policies
    }
}

/// What a reload compares of a chat network, IRC and XMPP alike.
private protocol ReloadableNetwork: Hashable {
    var name: String { get }
    var invites: InviteSettings? { get }
    /// The network's `flood` settings; `nil` where there are none (XMPP).
    var reloadableFlood: FloodSettings? { get }
    /// The configured rooms as a reload joins them (IRC channel or MUC JID, with its key), each
    /// with its `policy`.
    var configuredRooms: [(room: ConfigurationChange.Room, policy: PolicySettings?)] { get }
    /// The network without what a reload applies (rooms, flood, invites): what is left needs a
    /// new connection when it changes.
    var connectionSettings: Self { get }
}

extension IRCNetworkSettings: ReloadableNetwork {
    fileprivate var reloadableFlood: FloodSettings? { flood }
    fileprivate var configuredRooms: [(room: ConfigurationChange.Room, policy: PolicySettings?)] {
        (rooms ?? []).map { (ConfigurationChange.Room(name: $0.name, key: $0.key), $0.policy) }
    }
    fileprivate var connectionSettings: Self {
        var connection = self
        connection.rooms = nil; connection.flood = nil; connection.invites = nil
        return connection
    }
}

extension XMPPNetworkSettings: ReloadableNetwork {
    fileprivate var reloadableFlood: FloodSettings? { nil }
    fileprivate var configuredRooms: [(room: ConfigurationChange.Room, policy: PolicySettings?)] {
        (rooms ?? []).map { (ConfigurationChange.Room(name: $0.jid, key: $0.password), $0.policy) }
    }
    fileprivate var connectionSettings: Self {
        var connection = self
        connection.rooms = nil; connection.invites = nil
        return connection
    }
}
