import XMPP

/// Which domains host real multi-user chat rooms, as a plain value.
///
/// A room is only a room on a XEP-0045 service: a domain whose disco#info names the identity
/// `conference/text` (XEP-0045 §6.1). Anybody can send a presence with status 110 and
/// `<item jid=…>` or a `muc#user <invite>` from their own account, so the bot believes presence,
/// occupants' real JIDs and mediated invitations only from rooms on such a domain. Trusted domains
/// are the configured ones (`muc_services`, and the domains of configured rooms) and those the
/// bot's own server lists in disco#items (XEP-0030 §4) that answer disco#info as a MUC service.
/// Domains named by strangers are never queried: a hostile server would simply claim to be one.
struct MUCServiceTrust: Sendable {
    enum Verdict: Sendable, Equatable {
        case trusted
        case untrusted
        /// Discovery has not finished yet: ask again when it has.
        case unknown
    }

    /// Services queried with disco#info at most (a server lists a handful: MUC, pubsub, proxy…).
    static let maximumServicesQueried = 32

    /// Lowercased domains trusted by configuration.
    let configured: Set<String>
    /// Lowercased domains the bot's server listed and that answered `conference/text`.
    private(set) var discovered: Set<String> = []
    /// Discovery ran to its end (every answer in, or given up on): the cache is complete.
    private(set) var isComplete = false
    /// The disco#items query to the server is out.
    private(set) var awaitingItems = false
    /// disco#info queries still out, by service.
    private(set) var awaitingInfo: Set<JID> = []

    init(configured domains: some Sequence<String>) {
        configured = Set(domains.map { $0.lowercased() })
    }

    var isRunning: Bool { awaitingItems || !awaitingInfo.isEmpty }

    /// Whether `domain` hosts real rooms.
    func verdict(forDomain domain: String) -> Verdict {
        let domain = domain.lowercased()
        if configured.contains(domain) || discovered.contains(domain) { return .trusted }
        return isComplete ? .untrusted : .unknown
    }

    /// Whether `room` is a room JID (`name@service`, no resource) on a trusted service.
    func verdict(forRoom room: JID) -> Verdict {
        guard room.localpart != nil, room.isBare else { return .untrusted }
        return verdict(forDomain: room.domainpart)
    }

    /// Discovery starts (or starts again after a connection was lost halfway): the caller sends
    /// disco#items to the server.
    mutating func discoveryStarted() {
        awaitingItems = true
        awaitingInfo = []
    }

    /// The connection carrying the queries is gone; unfinished discovery restarts with the next session.
    mutating func connectionLost() {
        awaitingItems = false
        awaitingInfo = []
    }

    /// The server's disco#items answer (or its failure, with no items): returns the services to
    /// ask disco#info of. Only bare domains are services; accounts and nodes are not.
    mutating func itemsAnswered(_ items: [JID]) -> [JID] {
        guard awaitingItems else { return [] }
        awaitingItems = false
        var seen: Set<JID> = []
        let services = items.filter { $0.localpart == nil && $0.isBare && seen.insert($0).inserted }
            .prefix(Self.maximumServicesQueried)
        awaitingInfo = Set(services)
        finishIfDone()
        return Array(services)
    }

    /// A service's disco#info answer (`isTextConference` false for errors and timeouts). Returns
    /// true when this answer completed discovery.
    @discardableResult
    mutating func infoAnswered(service: JID, isTextConference: Bool) -> Bool {
        guard awaitingInfo.remove(service) != nil else { return false }
        if isTextConference { discovered.insert(service.domainpart.lowercased()) }
        return finishIfDone()
    }

    @discardableResult
    private mutating func finishIfDone() -> Bool {
        guard !awaitingItems, awaitingInfo.isEmpty, !isComplete else { return false }
        isComplete = true
        return true
    }
}
