/// Per-visit privileges (XEP-0045 §5.1).
public enum MUCRole: String, CaseIterable, Hashable, Sendable {
    case moderator, participant, visitor, none
}
