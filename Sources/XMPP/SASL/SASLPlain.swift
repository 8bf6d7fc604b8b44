import Foundation

/// The PLAIN mechanism (RFC 4616): the password itself, so only ever over TLS (RFC 6120 §6.4.5
/// and §13.9.4). Kept for servers whose accounts have no SCRAM keys stored (e.g. LDAP-backed).
public enum SASLPlain {
    /// The base64 initial response `authzid NUL authcid NUL password` for `<auth mechanism='PLAIN'>`.
    ///
    /// - Parameter authzid: normally `nil` — XMPP clients act as themselves (RFC 6120 §6.3.8).
    public static func initialResponse(authcid: String, password: String, authzid: String? = nil) -> String {
        let message = (authzid ?? "") + "\u{0}" + authcid + "\u{0}" + password
        return Data(message.utf8).base64EncodedString()
    }
}
