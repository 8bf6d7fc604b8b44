/// `<destroy>`: the room is gone, maybe replaced by another (XEP-0045 §10.9).
public struct MUCDestroy: Hashable, Sendable {
    public var alternateRoom: JID?
    public var reason: String?

    public init(alternateRoom: JID? = nil, reason: String? = nil) {
        self.alternateRoom = alternateRoom
        self.reason = reason
    }
}
