/// Occupant information a room attaches to presence, `<x xmlns='http://jabber.org/protocol/muc#user'>`
/// (XEP-0045 §7.2.3).
///
/// In non-anonymous rooms ``MUCItem/jid`` is the occupant's real JID: authorize commands by it,
/// never by nickname, which anyone may take.
public struct MUCUserInfo: Hashable, Sendable {
    /// The `<item>` elements (one in occupant presence).
    public var items: [MUCItem]
    /// The `<status code='…'/>` values; see ``MUC/Status``.
    public var statusCodes: Set<Int>
    /// Set when the room was destroyed (XEP-0045 §10.9).
    public var destroy: MUCDestroy?

    public init(items: [MUCItem] = [], statusCodes: Set<Int> = [], destroy: MUCDestroy? = nil) {
        self.items = items
        self.statusCodes = statusCodes
        self.destroy = destroy
    }

    /// Reads a muc#user `<x>` element.
    public init(element: XMLElement) {
        let namespace = XMPPNamespace.mucUser
        items = element.children(named: "item", namespace: namespace).map(MUCItem.init(element:))
        statusCodes = Set(element.children(named: "status", namespace: namespace).compactMap { $0[attribute: "code"].flatMap { Int($0) } })
        destroy = element.firstChild(named: "destroy", namespace: namespace).map { destroy in
            MUCDestroy(
                alternateRoom: destroy.jidAttribute("jid"),
                reason: destroy.firstChild(named: "reason", namespace: namespace)?.text
            )
        }
    }

    /// The first item, which is the occupant's in presence.
    public var item: MUCItem? { items.first }

    /// This presence is about ourselves (status 110, XEP-0045 §7.2.3).
    public var isSelf: Bool { statusCodes.contains(MUC.Status.selfPresence) }

    /// The room was destroyed.
    public var isDestroyed: Bool { destroy != nil }
}
