import Foundation
import TocsinCore
import TocsinStorage

/// Signing in with chat (issue 13, item 2): `!web` and `tocsin login-link` issue a one-time link
/// that, followed once within minutes, opens a browser session as the verified chat identity.
public struct SignInLinks: WebSignIn {
    public let settings: PagesSettings
    let links: LoginLinkTable
    let sessions: WebSessionTable
    let now: @Sendable () -> Date

    /// The session cookie's name.
    public static let cookieName = "tocsin_session"

    public init(settings: PagesSettings, links: LoginLinkTable, sessions: WebSessionTable,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.links = links
        self.sessions = sessions
        self.now = now
    }

    public var linkLifetime: TimeInterval { settings.linkLifetime }

    public func signInLink(for identity: ChatIdentity) async throws -> String {
        let token = SignInToken.random()
        let issued = now()
        try await links.insert(selector: token.selector, verifierHash: token.verifierHash, identity: identity.description,
                               now: issued, expiresAt: issued.addingTimeInterval(settings.linkLifetime))
        return "\(settings.publicURL)/login/\(token.text)"
    }

    public func postmortemLink(for number: Int) -> String {
        "\(settings.publicURL)/incidents/\(number)/postmortem.md"
    }

    /// Uses a link: a new session's cookie value and its identity, or nil when the link is
    /// malformed, unknown, used, or expired (one answer for all, so it tells an attacker nothing).
    public func redeem(_ tokenText: String) async throws -> (identity: ChatIdentity, cookie: String)? {
        guard let token = SignInToken(tokenText) else { return nil }
        let at = now()
        guard let stored = try await links.consume(selector: token.selector, verifierHash: token.verifierHash, now: at),
              let identity = ChatIdentity(configString: stored) else { return nil }
        let session = SignInToken.random()
        try await sessions.insert(selector: session.selector, verifierHash: session.verifierHash, identity: stored,
                                  now: at, expiresAt: at.addingTimeInterval(settings.sessionLifetime))
        return (identity, session.text)
    }

    /// The signed-in identity of a session cookie's value, nil when absent, malformed or expired.
    public func identity(forSession value: String?) async throws -> ChatIdentity? {
        guard let value, let token = SignInToken(value) else { return nil }
        return try await sessions.identity(selector: token.selector, verifierHash: token.verifierHash, now: now())
            .flatMap(ChatIdentity.init(configString:))
    }

    public func signOut(session value: String?) async throws {
        guard let value, let token = SignInToken(value) else { return }
        try await sessions.delete(selector: token.selector)
    }

    /// `Set-Cookie` for a new session: HttpOnly (no script reads it), SameSite=Strict (no other
    /// site's page can make the browser send it), Secure when the pages are on https, Path=/,
    /// and it lasts no longer than the session does.
    public func sessionCookie(_ value: String) -> String {
        var cookie = "\(Self.cookieName)=\(value); Path=/; Max-Age=\(Int(settings.sessionLifetime)); HttpOnly; SameSite=Strict"
        if settings.isSecure { cookie += "; Secure" }
        return cookie
    }

    /// `Set-Cookie` that removes the session cookie.
    public func clearedCookie() -> String {
        var cookie = "\(Self.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
        if settings.isSecure { cookie += "; Secure" }
        return cookie
    }

    /// Drops expired links and sessions (maintenance).
    public func prune() async throws {
        let at = now()
        try await links.prune(now: at)
        try await sessions.prune(now: at)
    }
}
