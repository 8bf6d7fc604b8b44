import TocsinCore

/// Which incidents a signed-in identity may see (issue 13, item 2): those announced, by the routes
/// or actually, in a room where that identity could read them in chat with `!incident`.
///
/// A room counts for an identity when it is on a network the person uses (an IRC account's own
/// network; any XMPP network for a JID; identities mapped to the same incident-platform user are
/// one person), its policy allows `!incident`, and — for a room whose `writers` names people —
/// the person is one of them. An incident routed nowhere the person could read it is not shown,
/// and a page for it answers exactly as one for an incident that does not exist.
public struct IncidentVisibility: Sendable {
    /// Shared with the command handler, so a configuration reload's policies apply to the pages too.
    public var policySource: PolicySource
    public var policy: AuthorizationPolicy { policySource.current }
    public var router: TocsinCore.Router
    /// Names of the XMPP networks in the configuration (a JID names no network).
    public var xmppNetworks: Set<String>

    public init(policy: AuthorizationPolicy, router: TocsinCore.Router, xmppNetworks: Set<String>) {
        self.init(policySource: PolicySource(policy), router: router, xmppNetworks: xmppNetworks)
    }

    public init(policySource: PolicySource, router: TocsinCore.Router, xmppNetworks: Set<String>) {
        self.policySource = policySource
        self.router = router
        self.xmppNetworks = xmppNetworks
    }

    /// The identities that are the same person as `identity` (mapped to the same user).
    func person(_ identity: ChatIdentity) -> Set<ChatIdentity> {
        guard let email = policy.identities[identity] else { return [identity] }
        return Set(policy.identities.filter { $0.value == email }.keys).union([identity])
    }

    /// The rooms the routes send any event of `incident` to.
    func routedRooms(_ incident: Incident) -> Set<ChatDestination> {
        var rooms: Set<ChatDestination> = []
        for kind in IncidentEventKind.allCases {
            let event = IncidentEvent(id: "visibility", kind: kind, incident: incident, occurredAt: incident.createdAt)
            rooms.formUnion(router.destinations(for: event).map(\.folded))
        }
        return rooms
    }

    /// Whether `identity` may read incidents announced in `room`.
    func mayRead(_ room: ChatDestination, as people: Set<ChatIdentity>) -> Bool {
        let onNetwork = people.contains { identity in
            switch identity {
            case .ircAccount(let network, _): network == room.network
            case .xmpp: xmppNetworks.contains(room.network)
            }
        }
        guard onNetwork else { return false }
        let roomPolicy = policy.policy(for: room)
        guard roomPolicy.allows(.incident) else { return false }
        if case .only(let named) = roomPolicy.writers { return !named.isDisjoint(with: people) }
        return true
    }

    /// - Parameter announcedIn: rooms that actually received the incident's announcements
    ///   (recorded by the gateway), besides those its routes name today.
    public func canSee(_ incident: Incident, as identity: ChatIdentity, announcedIn: [ChatDestination] = []) -> Bool {
        let people = person(identity)
        let rooms = routedRooms(incident).union(announcedIn.map(\.folded))
        return rooms.contains { mayRead($0, as: people) }
    }
}
