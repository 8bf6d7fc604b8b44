/// A deterministic, realistic inbound XMPP stream as a bot in multi-user chat rooms receives it
/// from Prosody: the stream header, then groupchat messages (with XEP-0359 stanza ids, some with
/// XEP-0203 delay from room history), MUC presences with XEP-0045 `muc#user` items, XEP-0199
/// pings, and XEP-0198 stream-management requests and acks.
struct XMPPCorpus {
    static let header = Array((
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
        + "id='f6c2b3a1-8d7e-4f65-9c1a-0b2d3e4f5a6b' from='localhost' version='1.0' xml:lang='en'>"
    ).utf8)

    /// The top-level elements after the header, one after the other.
    let body: [UInt8]
    let stanzaCount: Int

    init(count: Int = 5_000, seed: UInt64 = 0x786d_7070) {
        var random = SplitMix64(seed: seed)
        let nicks = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
        let rooms = ["ops", "ops-db", "incidents", "platform", "sre"]
        let words = ["deploy", "rollback", "the", "db", "replica", "lag", "is", "back", "to", "normal", "checking",
                     "grafana", "p99", "latency", "on", "api", "who", "has", "pager", "today", "&", "<ok>", "thanks",
                     "looks", "like", "disk", "full", "again", "restarting", "pods", "in", "eu-west-1", "'quoted'"]
        func escaped(_ text: String) -> String {
            var out = ""
            for character in text {
                switch character {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "'": out += "&apos;"
                default: out.append(character)
                }
            }
            return out
        }
        func sentence() -> String {
            escaped((0..<(4 + random.next(14))).map { _ in words[random.next(words.count)] }.joined(separator: " "))
        }
        var stanzas: [String] = []
        var h = 0
        while stanzas.count < count {
            let nick = nicks[random.next(nicks.count)]
            let room = rooms[random.next(rooms.count)] + "@conference.localhost"
            let id = "\(random.next(1 << 30))-\(stanzas.count)"
            switch random.next(100) {
            case 0..<60:
                stanzas.append(
                    "<message xml:lang='en' to='tocsin@localhost/tocsin' from='\(room)/\(nick)' type='groupchat' id='\(id)'>"
                    + "<body>\(random.next(10) == 0 ? "!ack \(random.next(5000))" : sentence())</body>"
                    + "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='b3BzOn\(nick)'/>"
                    + "<stanza-id xmlns='urn:xmpp:sid:0' id='\(id)-sid' by='\(room)'/></message>")
            case 60..<68:
                stanzas.append(
                    "<message xml:lang='en' to='tocsin@localhost/tocsin' from='\(room)/\(nick)' type='groupchat' id='\(id)'>"
                    + "<body>\(sentence())</body><delay xmlns='urn:xmpp:delay' from='\(room)' stamp='2025-06-01T12:34:56Z'/>"
                    + "<stanza-id xmlns='urn:xmpp:sid:0' id='\(id)-sid' by='\(room)'/></message>")
            case 68..<83:
                let show = random.next(3) == 0 ? "<show>away</show>" : ""
                stanzas.append(
                    "<presence to='tocsin@localhost/tocsin' from='\(room)/\(nick)' id='\(id)'>\(show)"
                    + "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://slixmpp.com/ver/1.8.3' ver='OErK1yUZ6g5fGeXZhmVEtlzK2mU='/>"
                    + "<x xmlns='http://jabber.org/protocol/muc#user'><item jid='\(nick)@localhost/slixmpp' role='participant' affiliation='none'/></x></presence>")
            case 83..<88:
                stanzas.append("<iq type='get' id='\(id)' from='localhost' to='tocsin@localhost/tocsin'><ping xmlns='urn:xmpp:ping'/></iq>")
            case 88..<96:
                h += 1
                stanzas.append("<a xmlns='urn:xmpp:sm:3' h='\(h)'/>")
            default:
                stanzas.append("<r xmlns='urn:xmpp:sm:3'/>")
            }
        }
        body = Array(stanzas.joined().utf8)
        stanzaCount = stanzas.count
    }
}
