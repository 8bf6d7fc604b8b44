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
        compareIRC(old.irc ?? [], new.irc ?? [])
        compareXMPP(old.xmpp ?? [], new.xmpp ?? [])
    }

    private mutating func compareIRC(_ old: [IRCNetworkSettings], _ new: [IRCNetworkSettings]) {
        let before = Dictionary(old.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (index, network) in new.enumerated() {
            let path = "irc[\(index)]"
            guard let previous = before[network.name] else {
                restartNeeded.append("\(path) (new network \(network.name))")
                continue
            }
            // The connection's own settings: a new connection would be needed.
            var connection = network, previousConnection = previous
            connection.rooms = nil; previousConnection.rooms = nil
            connection.flood = nil; previousConnection.flood = nil
            connection.invites = nil; previousConnection.invites = nil
            if network.invites != previous.invites { invitesChanged = true }
            if connection != previousConnection { restartNeeded.append("\(path) (connection settings of \(network.name))") }
            if network.flood != previous.flood { flood[network.name] = network.flood }
            diffRooms(network: network.name,
                      old: (previous.rooms ?? []).map { Room(name: $0.name, key: $0.key) },
                      new: (network.rooms ?? []).map { Room(name: $0.name, key: $0.key) },
                      fold: { $0.lowercased() })
        }
        let names = Set(new.map(\.name))
        for network in old where !names.contains(network.name) {
            restartNeeded.append("irc (network \(network.name) removed)")
        }
    }

    private mutating func compareXMPP(_ old: [XMPPNetworkSettings], _ new: [XMPPNetworkSettings]) {
        let before = Dictionary(old.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (index, network) in new.enumerated() {
            let path = "xmpp[\(index)]"
            guard let previous = before[network.name] else {
                restartNeeded.append("\(path) (new network \(network.name))")
                continue
            }
            var connection = network, previousConnection = previous
            connection.rooms = nil; previousConnection.rooms = nil
            connection.invites = nil; previousConnection.invites = nil
            if network.invites != previous.invites { invitesChanged = true }
            if connection != previousConnection { restartNeeded.append("\(path) (connection settings of \(network.name))") }
            diffRooms(network: network.name,
                      old: (previous.rooms ?? []).map { Room(name: $0.jid, key: $0.password) },
                      new: (network.rooms ?? []).map { Room(name: $0.jid, key: $0.password) },
                      fold: { $0.lowercased() })
        }
        let names = Set(new.map(\.name))
        for network in old where !names.contains(network.name) {
            restartNeeded.append("xmpp (network \(network.name) removed)")
        }
    }

    /// Rooms compare by folded name; a room whose key changed is left as joined (the key only
    /// matters when joining).
    private mutating func diffRooms(network: String, old: [Room], new: [Room], fold: (String) -> String) {
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
        for network in configuration.irc ?? [] {
            for room in network.rooms ?? [] { if let policy = room.policy { policies["\(network.name) \(room.name.lowercased())"] = policy } }
        }
        for network in configuration.xmpp ?? [] {
            for room in network.rooms ?? [] { if let policy = room.policy { policies["\(network.name) \(room.jid.lowercased())"] = policy } }
        }
        return policies
    }
}
