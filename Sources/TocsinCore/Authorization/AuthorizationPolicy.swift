/// The outcome of an authorization check, with the words to tell the user.
public enum AuthorizationDecision: Sendable, Hashable {
    /// Allowed; `actor` is set for write commands (the platform user changes are made as).
    case allowed(actor: Actor?)
    case denied(String)
}

/// Decides who may run what, where. Lives in the core so IRC and XMPP enforce identical rules.
///
/// Read commands follow the room's command list. Write commands additionally need a verified
/// identity (never a nick), allowed by the room's ``WriterRule``, and mapped to a platform user
/// whose email becomes the actor of the change.
public struct AuthorizationPolicy: Sendable {
    /// Keyed by folded destination (see ``ChatDestination/folded``).
    public private(set) var rooms: [ChatDestination: RoomPolicy]
    /// Rooms joined by invitation or not listed get this policy.
    public var defaultRoomPolicy: RoomPolicy
    public var directMessagePolicy: RoomPolicy
    public var identities: [ChatIdentity: String]

    public init(
        rooms: [ChatDestination: RoomPolicy] = [:], defaultRoomPolicy: RoomPolicy = RoomPolicy(),
        directMessagePolicy: RoomPolicy = RoomPolicy(), identities: [ChatIdentity: String] = [:]
    ) {
        self.rooms = Dictionary(rooms.map { ($0.key.folded, $0.value) }, uniquingKeysWith: { first, _ in first })
        self.defaultRoomPolicy = defaultRoomPolicy
        self.directMessagePolicy = directMessagePolicy
        self.identities = identities
    }

    public func policy(for destination: ChatDestination) -> RoomPolicy {
        switch destination.conversation {
        case .direct: directMessagePolicy
        case .room: rooms[destination.folded] ?? defaultRoomPolicy
        }
    }

    public func actor(for identity: ChatIdentity?) -> Actor? {
        identity.flatMap { identities[$0] }.map(Actor.init(email:))
    }

    public func decide(_ command: CommandName, for message: InboundMessage, prefix: String = "!") -> AuthorizationDecision {
        let policy = policy(for: message.origin)
        guard policy.allows(command) else {
            return .denied("\(prefix)\(command.rawValue) is not enabled here")
        }
        guard command.isWrite else { return .allowed(actor: actor(for: message.identity)) }
        // Checked before the identity: telling someone to log in for a read-only room would mislead.
        if policy.writers == .nobody {
            return .denied("\(prefix)\(command.rawValue) is read-only here")
        }
        guard let identity = message.identity else {
            let reason = message.identityUnavailableReason
                ?? "you are not identified to services — log in (SASL or NickServ) and try again"
            return .denied("\(message.senderName): \(prefix)\(command.rawValue) needs a verified identity: \(reason)")
        }
        switch policy.writers {
        case .nobody:
            return .denied("\(prefix)\(command.rawValue) is read-only here")
        case .only(let writers) where !writers.contains(identity):
            return .denied("\(identity) may not run \(prefix)\(command.rawValue) here")
        case .only, .anyMapped:
            guard let actor = actor(for: identity) else {
                return .denied("\(identity) is not mapped to an incident-platform user — ask an admin to add it under `identities:` in Tocsin's config")
            }
            return .allowed(actor: actor)
        }
    }
}
