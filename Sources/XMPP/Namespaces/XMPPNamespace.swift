/// The namespace URIs this codec reads and writes, named after the spec that defines them.
///
/// Matching on these constants (rather than string literals scattered through handlers) keeps
/// every namespace spelled once and makes it obvious which RFC or XEP a piece of code follows.
public enum XMPPNamespace {
    /// Stanzas on a client-to-server stream (RFC 6120 §4.8.3).
    public static let client = "jabber:client"
    /// The stream element and stream-level elements such as features and errors (RFC 6120 §4.8.1).
    public static let streams = "http://etherx.jabber.org/streams"
    /// Defined stream error conditions (RFC 6120 §4.9.3).
    public static let streamErrors = "urn:ietf:params:xml:ns:xmpp-streams"
    /// Defined stanza error conditions (RFC 6120 §8.3.3).
    public static let stanzaErrors = "urn:ietf:params:xml:ns:xmpp-stanzas"
    /// STARTTLS negotiation (RFC 6120 §5.4).
    public static let tls = "urn:ietf:params:xml:ns:xmpp-tls"
    /// SASL negotiation (RFC 6120 §6.4).
    public static let sasl = "urn:ietf:params:xml:ns:xmpp-sasl"
    /// Resource binding (RFC 6120 §7).
    public static let bind = "urn:ietf:params:xml:ns:xmpp-bind"
    /// Legacy session establishment (RFC 3921 §3, kept optional by draft-cridland-xmpp-session).
    public static let session = "urn:ietf:params:xml:ns:xmpp-session"
    /// XEP-0198 Stream Management, version 3.
    public static let streamManagement = "urn:xmpp:sm:3"
    /// XEP-0199 XMPP Ping.
    public static let ping = "urn:xmpp:ping"
    /// XEP-0203 Delayed Delivery.
    public static let delay = "urn:xmpp:delay"
    /// XEP-0045 Multi-User Chat: join requests.
    public static let muc = "http://jabber.org/protocol/muc"
    /// XEP-0045 Multi-User Chat: occupant information and mediated invitations.
    public static let mucUser = "http://jabber.org/protocol/muc#user"
    /// XEP-0045 Multi-User Chat: owner (room configuration) queries.
    public static let mucOwner = "http://jabber.org/protocol/muc#owner"
    /// XEP-0004 Data Forms.
    public static let dataForms = "jabber:x:data"
    /// XEP-0249 Direct MUC Invitations.
    public static let conference = "jabber:x:conference"
    /// XEP-0030 Service Discovery: information queries.
    public static let discoInfo = "http://jabber.org/protocol/disco#info"
    /// XEP-0030 §4: the items (services) an entity hosts.
    public static let discoItems = "http://jabber.org/protocol/disco#items"
    /// XEP-0092 Software Version.
    public static let version = "jabber:iq:version"
    /// XEP-0359 Unique and Stable Stanza IDs: `<origin-id/>`, which a MUC service keeps in the
    /// copy of a message it reflects to the sender (XEP-0359 §5).
    public static let stanzaID = "urn:xmpp:sid:0"
}
