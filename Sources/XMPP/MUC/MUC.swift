/// Multi-User Chat (XEP-0045) as a bot uses it: join, leave, notice removal, self-ping.
public enum MUC {
    /// The join request: presence to `room/nick` with `<x xmlns='http://jabber.org/protocol/muc'>`
    /// (XEP-0045 §7.2.1).
    ///
    /// - Parameters:
    ///   - room: the room's bare JID (a resource, if any, is replaced by `nick`).
    ///   - maxStanzas: history to request (§7.2.15); the default 0 means none, because a bot
    ///     must not re-execute commands from the room's history. `nil` leaves it to the room.
    ///   - password: for password-protected rooms (§7.2.6).
    /// - Throws: ``JIDError`` when `nick` is not a valid resourcepart.
    public static func joinPresence(room: JID, nick: String, password: String? = nil, maxStanzas: Int? = 0) throws(JIDError) -> XMLElement {
        let occupant = try room.bare.with(resource: nick)
        var x = XMLElement("x", namespace: XMPPNamespace.muc)
        if let maxStanzas { x.append(XMLElement("history", attributes: ["maxstanzas": String(max(0, maxStanzas))])) }
        if let password { x.append(XMLElement("password", text: password)) }
        return Stanza.presence(to: occupant, children: [x])
    }

    /// Leaves a room: unavailable presence to our occupant JID (XEP-0045 §7.14).
    public static func leavePresence(occupant: JID, status: String? = nil) -> XMLElement {
        Stanza.presence(to: occupant, type: .unavailable, children: status.map { [XMLElement("status", text: $0)] } ?? [])
    }

    /// Accepts the default configuration of a room we just created (status 201), unlocking it
    /// (XEP-0045 §10.1.2 "instant room").
    public static func instantRoomConfiguration(room: JID, id: String) -> XMLElement {
        var query = XMLElement("query", namespace: XMPPNamespace.mucOwner)
        query.append(XMLElement("x", namespace: XMPPNamespace.dataForms, attributes: ["type": "submit"]))
        return Stanza.iq(type: .set, id: id, to: room.bare, payload: query)
    }
}
