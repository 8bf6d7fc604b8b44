/// The `type` attribute of `<presence>` (RFC 6121 §4.7.1); ``available`` is written as no attribute.
public enum PresenceType: String, CaseIterable, Hashable, Sendable {
    case available
    case unavailable
    case subscribe
    case subscribed
    case unsubscribe
    case unsubscribed
    case probe
    case error
}
