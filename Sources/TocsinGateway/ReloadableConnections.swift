import IRCClient
import XMPPClient

/// Both chat connections take a reload's room changes; IRC also its flood settings.
extension IRCConnection: ReloadableConnection {}

extension XMPPConnection: ReloadableConnection {
    /// XMPP has no client-side flood settings (the server paces stanzas itself).
    public func applyFlood(burst: Int?, interval: Duration?) async {}
}
