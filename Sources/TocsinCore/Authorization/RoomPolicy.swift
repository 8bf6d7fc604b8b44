/// Who may write in a room (or in direct messages).
public enum WriterRule: Sendable, Hashable {
    /// Any verified identity that maps to an incident-platform user.
    case anyMapped
    /// Only these verified identities (each must also be mapped, to have an actor).
    case only(Set<ChatIdentity>)
    /// Read-only room: announcements and read commands only.
    case nobody
}

/// The per-room authorization policy: which commands run here and who may change incidents.
public struct RoomPolicy: Sendable, Hashable {
    /// nil means every command.
    public var allowedCommands: Set<CommandName>?
    public var writers: WriterRule

    public init(allowedCommands: Set<CommandName>? = nil, writers: WriterRule = .anyMapped) {
        self.allowedCommands = allowedCommands
        self.writers = writers
    }

    public func allows(_ command: CommandName) -> Bool {
        command == .help || allowedCommands?.contains(command) ?? true
    }
}
