extension XMLElement {
    /// An attribute parsed as a JID, `nil` if absent or invalid.
    func jidAttribute(_ name: String) -> JID? {
        self[attribute: name].flatMap { try? JID($0) }
    }
}
