/// XEP-0030 Service Discovery, information side: who we are and what we support.
///
/// Other clients and rooms query it before using a feature; answering is part of being a good
/// citizen (RFC 6120 §8.4 requires an answer to every iq get anyway).
public enum Disco {
    /// An `<identity/>` (XEP-0030 §3.1, categories in the XMPP registry).
    public struct Identity: Hashable, Sendable {
        public var category: String
        public var type: String
        public var name: String?

        public init(category: String, type: String, name: String? = nil) {
            self.category = category
            self.type = type
            self.name = name
        }

        /// `client/bot`: an automated client (registry category "client", type "bot").
        public static func bot(name: String?) -> Identity {
            Identity(category: "client", type: "bot", name: name)
        }
    }

    /// What this codec lets a bot answer for: disco#info itself, XEP-0199 ping, XEP-0092
    /// version, XEP-0045 MUC and XEP-0249 direct invitations.
    public static let defaultFeatures: [String] = [
        XMPPNamespace.discoInfo,
        XMPPNamespace.ping,
        XMPPNamespace.version,
        XMPPNamespace.muc,
        XMPPNamespace.conference,
    ]

    /// Whether `iq` is a disco#info query to us.
    public static func isInfoQuery(_ iq: IQ) -> Bool {
        iq.isRequest(.get, payload: "query", namespace: XMPPNamespace.discoInfo)
    }

    /// The disco#info result (XEP-0030 §3.1), echoing the query's `node` if it had one.
    /// Features are sorted and de-duplicated as XEP-0115 hashing expects.
    public static func infoResult(
        replyingTo request: IQ,
        identities: [Identity] = [.bot(name: "Tocsin")],
        features: [String] = defaultFeatures
    ) -> XMLElement {
        var attributes: [XMLAttribute] = []
        if let node = request.payload?[attribute: "node"] { attributes.append(XMLAttribute("node", node)) }
        var query = XMLElement("query", namespace: XMPPNamespace.discoInfo, attributes: attributes)
        for identity in identities {
            var identityAttributes = [XMLAttribute("category", identity.category)]
            if let name = identity.name { identityAttributes.append(XMLAttribute("name", name)) }
            identityAttributes.append(XMLAttribute("type", identity.type))
            query.append(XMLElement("identity", attributes: identityAttributes))
        }
        for feature in Set(features).sorted() {
            query.append(XMLElement("feature", attributes: ["var": feature]))
        }
        return Stanza.iqResult(replyingTo: request, children: [query])
    }
}
