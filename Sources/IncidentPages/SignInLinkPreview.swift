import Foundation
import GRDB
import TocsinCore
import TocsinStorage

/// Reads a one-time sign-in link without using it up, for the page `GET /login/…` shows.
///
/// Chat clients and bots that unfurl URLs (XMPP clients, IRC preview scripts, some proxies) fetch
/// a link before the person clicks it. So a GET only looks: it answers with a "Sign in as …"
/// button, and only the POST that button sends (``SignInLinks/redeem(_:)``) uses the link. The
/// look-up is the same as the redeeming one — selector, then the verifier's SHA-256 compared in
/// constant time, unused and unexpired — but read-only.
///
/// It reads `web_login_links` (``LoginLinkTable``'s table) directly because that table offers no
/// read-only look-up; keep the two in step.
struct SignInLinkPreview: Sendable {
    let database: any DatabaseReader
    let now: @Sendable () -> Date

    init(database: any DatabaseReader, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    /// The identity a link would sign in as, or nil when it is malformed, unknown, used or expired
    /// (one answer for all). Changes nothing.
    func identity(of tokenText: String) async throws -> ChatIdentity? {
        guard let token = SignInToken(tokenText) else { return nil }
        let at = now().timeIntervalSince1970
        let verifierHash = token.verifierHash
        let stored: String? = try await database.read { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT verifierHash, identity, expiresAt, usedAt FROM web_login_links WHERE selector = ?",
                arguments: [token.selector]) else { return nil }
            let hash: String = row["verifierHash"]
            guard ConstantTime.equals(hash, verifierHash) else { return nil }
            let usedAt: Double? = row["usedAt"]
            let expiresAt: Double = row["expiresAt"]
            guard usedAt == nil, expiresAt > at else { return nil }
            return row["identity"]
        }
        return stored.flatMap(ChatIdentity.init(configString:))
    }
}
