/// Long-lived room membership (XEP-0045 §5.2).
public enum MUCAffiliation: String, CaseIterable, Hashable, Sendable {
    case owner, admin, member, outcast, none
}
