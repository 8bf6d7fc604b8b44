/// XEP-0030 Service Discovery, asking side: which services a server hosts and what each one is.
///
/// A bot needs it to tell a real multi-user chat service from an ordinary account: only a domain
/// that answers disco#info with identity `conference/text` (XEP-0045 §6.1) hosts rooms, and only
/// such a room's presence and invitations can be believed.
extension Disco {
    /// The identity a XEP-0045 MUC service (and each of its rooms) reports (XEP-0045 §6.1, §6.4).
    public static let textConference = Identity(category: "conference", type: "text")

    /// `<iq type='get'><query xmlns='…disco#items'/></iq>` to `entity` (XEP-0030 §4.1).
    public static func itemsQuery(to entity: JID, id: String) -> XMLElement {
        Stanza.iq(type: .get, id: id, to: entity, payload: XMLElement("query", namespace: XMPPNamespace.discoItems))
    }

    /// `<iq type='get'><query xmlns='…disco#info'/></iq>` to `entity` (XEP-0030 §3.1).
    public static func infoQuery(to entity: JID, id: String) -> XMLElement {
        Stanza.iq(type: .get, id: id, to: entity, payload: XMLElement("query", namespace: XMPPNamespace.discoInfo))
    }

    /// The item JIDs of a disco#items result (XEP-0030 §4.2), skipping items that name a node:
    /// a node is a part of an entity, not a service of its own. Empty for errors and other payloads.
    public static func items(in result: IQ) -> [JID] {
        guard result.type == .result,
              let query = result.payload, query.matches(name: "query", namespace: XMPPNamespace.discoItems)
        else { return [] }
        return query.children(named: "item", namespace: XMPPNamespace.discoItems).compactMap { item in
            guard item[attribute: "node"] == nil else { return nil }
            return item.jidAttribute("jid")
        }
    }

    /// The identities of a disco#info result (XEP-0030 §3.1), with category and type lowercased
    /// as the registry spells them. Empty for errors and other payloads.
    public static func identities(in result: IQ) -> [Identity] {
        guard result.type == .result,
              let query = result.payload, query.matches(name: "query", namespace: XMPPNamespace.discoInfo)
        else { return [] }
        return query.children(named: "identity", namespace: XMPPNamespace.discoInfo).compactMap { identity in
            guard let category = identity[attribute: "category"], let type = identity[attribute: "type"] else { return nil }
            return Identity(category: category.lowercased(), type: type.lowercased(), name: identity[attribute: "name"])
        }
    }

    /// Whether a disco#info result describes a XEP-0045 multi-user chat service.
    public static func isTextConference(_ result: IQ) -> Bool {
        identities(in: result).contains { $0.category == textConference.category && $0.type == textConference.type }
    }
}
