/// XEP-0410 MUC Self-Ping: detecting that the room silently forgot us.
extension MUC {
    /// XEP-0410 self-ping: a XEP-0199 ping to our own occupant JID. The room answers for us only
    /// while we are joined, which detects removals the room never told us about.
    public static func selfPing(occupant: JID, id: String) -> XMLElement {
        Stanza.ping(to: occupant, id: id)
    }

    /// What the answer to a ``selfPing(occupant:id:)`` means (XEP-0410 §3.2). No answer at all
    /// (a timeout, decided by the caller) means the service is unreachable, like ``inconclusive``.
    public enum SelfPingOutcome: Hashable, Sendable {
        /// Still joined (a result, or our own client answered that it does not do pings).
        case joined
        /// No longer an occupant: rejoin.
        case notJoined
        /// The MUC service could not be reached; try again later rather than rejoining.
        case inconclusive
    }

    /// Classifies the iq answering a self-ping.
    public static func selfPingOutcome(_ response: IQ) -> SelfPingOutcome {
        switch response.type {
        case .result:
            return .joined
        case .error:
            switch response.error?.condition {
            // The occupant answered itself without ping support, or its nickname just changed.
            case "service-unavailable", "feature-not-implemented", "item-not-found": return .joined
            case "remote-server-not-found", "remote-server-timeout": return .inconclusive
            default: return .notJoined
            }
        case .get, .set:
            return .inconclusive
        }
    }
}
