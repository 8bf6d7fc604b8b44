/// The `type` attribute of `<iq>` (RFC 6120 §8.2.3).
public enum IQType: String, CaseIterable, Hashable, Sendable {
    case get, set, result, error
}
