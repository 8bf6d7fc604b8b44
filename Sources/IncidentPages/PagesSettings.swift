import Foundation

/// How the incident pages behave: where they live, how long links and sessions last.
public struct PagesSettings: Sendable, Hashable {
    /// `gateway.public_url` without a trailing slash, e.g. `https://tocsin.example.org`.
    public var publicURL: String
    /// How long a one-time sign-in link works (10 minutes).
    public var linkLifetime: TimeInterval
    /// How long a browser stays signed in (12 hours).
    public var sessionLifetime: TimeInterval
    /// Incidents per page of `/incidents` (25).
    public var pageSize: Int

    public static let defaultLinkLifetime: TimeInterval = 10 * 60
    public static let defaultSessionLifetime: TimeInterval = 12 * 3600

    public init(publicURL: String, linkLifetime: TimeInterval = defaultLinkLifetime,
                sessionLifetime: TimeInterval = defaultSessionLifetime, pageSize: Int = 25) {
        var base = publicURL
        while base.hasSuffix("/") { base.removeLast() }
        self.publicURL = base
        self.linkLifetime = linkLifetime
        self.sessionLifetime = sessionLifetime
        self.pageSize = pageSize
    }

    /// Cookies get `Secure` when the pages are served over https (behind a TLS proxy).
    public var isSecure: Bool { publicURL.lowercased().hasPrefix("https://") }
}
