/// One `<item>`: an occupant's affiliation, role, real JID and nickname (XEP-0045 §5).
public struct MUCItem: Hashable, Sendable {
    public var affiliation: MUCAffiliation?
    public var role: MUCRole?
    /// The occupant's real JID, visible in non-anonymous rooms or to moderators.
    public var jid: JID?
    /// The nickname; in an unavailable presence with status 303, the *new* nickname.
    public var nick: String?
    /// The reason for a kick, ban or affiliation change.
    public var reason: String?
    /// The nickname of who kicked or banned, if the room says.
    public var actorNick: String?

    public init(affiliation: MUCAffiliation? = nil, role: MUCRole? = nil, jid: JID? = nil, nick: String? = nil, reason: String? = nil, actorNick: String? = nil) {
        self.affiliation = affiliation
        self.role = role
        self.jid = jid
        self.nick = nick
        self.reason = reason
        self.actorNick = actorNick
    }

    init(element: XMLElement) {
        affiliation = element[attribute: "affiliation"].flatMap(MUCAffiliation.init(rawValue:))
        role = element[attribute: "role"].flatMap(MUCRole.init(rawValue:))
        jid = element.jidAttribute("jid")
        nick = element[attribute: "nick"]
        reason = element.firstChild(named: "reason", namespace: element.namespace)?.text
        actorNick = element.firstChild(named: "actor", namespace: element.namespace)?[attribute: "nick"]
    }
}
