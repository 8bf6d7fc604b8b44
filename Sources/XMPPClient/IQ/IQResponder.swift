import XMPP

/// Answers the iq requests every XMPP entity must handle (RFC 6120 §8.2.3: a get or set always
/// gets a reply): XEP-0030 disco#info, XEP-0092 version and XEP-0199 ping; anything else gets
/// `service-unavailable` (RFC 6120 §8.4).
struct IQResponder: Sendable {
    /// The name in disco and version answers.
    static let softwareName = "Tocsin"
    /// Reported by XEP-0092; kept in step with the executable's version.
    static let softwareVersion = "0.1.0"

    /// XEP-0461 replies and XEP-0393 styling are what our messages carry; the rest is from the codec.
    static let features = Disco.defaultFeatures + ["urn:xmpp:reply:0", "urn:xmpp:styling:0"]

    /// The reply to a get or set; `nil` for results and errors, which answer our own requests.
    func reply(to iq: IQ) -> XMLElement? {
        guard iq.type == .get || iq.type == .set else { return nil }
        if iq.isPing {
            return Stanza.iqResult(replyingTo: iq)
        }
        if Disco.isInfoQuery(iq) {
            return Disco.infoResult(replyingTo: iq, identities: [.bot(name: Self.softwareName)], features: Self.features)
        }
        if SoftwareVersion.isQuery(iq) {
            return SoftwareVersion.result(replyingTo: iq, name: Self.softwareName, version: Self.softwareVersion)
        }
        return Stanza.iqError(replyingTo: iq, type: .cancel, condition: "service-unavailable")
    }
}
