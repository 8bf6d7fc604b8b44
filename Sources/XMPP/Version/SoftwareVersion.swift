/// XEP-0092 Software Version: answers "which software is this?" queries.
public enum SoftwareVersion {
    /// Whether `iq` is a version query to us.
    public static func isQuery(_ iq: IQ) -> Bool {
        iq.isRequest(.get, payload: "query", namespace: XMPPNamespace.version)
    }

    /// The result (XEP-0092 §2): `name` and `version` are required, `os` optional — leave it out
    /// unless the operator wants it disclosed (XEP-0092 §5 on information leaks).
    public static func result(replyingTo request: IQ, name: String, version: String, os: String? = nil) -> XMLElement {
        var query = XMLElement("query", namespace: XMPPNamespace.version)
        query.append(XMLElement("name", text: name))
        query.append(XMLElement("version", text: version))
        if let os { query.append(XMLElement("os", text: os)) }
        return Stanza.iqResult(replyingTo: request, children: [query])
    }
}
