/// Who people are in chat, for wording: the incident platform knows them by email, the room by
/// their chat name. `by alice` reads better than `by alice@example.org` and does not publish an
/// address in every channel (issue 12, item 5).
///
/// Built from `identities:` (chat identity → email): an IRC services account names the person on
/// its network, an XMPP JID's localpart on every XMPP network. Elsewhere any known chat name is
/// used; the email only when the person has none.
public struct ChatNames: Sendable, Hashable {
    /// email (lowercased) → network → name.
    private var names: [String: [String: String]] = [:]
    /// email (lowercased) → one chat name, for networks where the person has none.
    private var fallback: [String: String] = [:]

    public init() {}

    /// - Parameters:
    ///   - identities: chat identity → incident-platform email, as in `identities:`.
    ///   - xmppNetworks: the names of the XMPP networks (an XMPP identity carries no network).
    public init(identities: [ChatIdentity: String], xmppNetworks: [String] = []) {
        // Sorted, so several identities for one email always give the same name.
        for (identity, email) in identities.sorted(by: { $0.key.description < $1.key.description }) {
            let key = email.lowercased()
            switch identity {
            case .ircAccount(let network, let account):
                if names[key, default: [:]][network] == nil { names[key, default: [:]][network] = account }
                if fallback[key] == nil { fallback[key] = account }
            case .xmpp(let jid):
                let local = jid.split(separator: "@").first.map(String.init) ?? jid
                for network in xmppNetworks where names[key, default: [:]][network] == nil {
                    names[key, default: [:]][network] = local
                }
                if fallback[key] == nil { fallback[key] = local }
            }
        }
    }

    /// The chat name of `person` (an email, or a display name from the platform) on `network`;
    /// `person` itself when no chat name is known.
    public func name(of person: String, on network: String?) -> String {
        let key = person.lowercased()
        if let network, let name = names[key]?[network] { return name }
        return fallback[key] ?? person
    }
}
