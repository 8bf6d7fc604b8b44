/// Which commands run in one room and, for each one that does not, why — the one answer behind
/// `!help`, `!help COMMAND` and the greeting, so they never disagree with what the command itself
/// does.
public struct RoomCommands: Sendable, Hashable {
    /// How the bot came to be in the room: its policy and the words of a refusal depend on it.
    public enum Kind: Sendable, Hashable {
        /// Listed under `irc[].rooms` / `xmpp[].rooms`.
        case configured
        /// Joined on invitation (policy `default_room_policy`).
        case invited
        /// A direct conversation (policy `direct_messages`).
        case direct
        /// Any other room (put there by the server): `default_room_policy`, no `!leave`.
        case other
    }

    public struct Off: Sendable, Hashable {
        public var command: CommandName
        public var reason: String
    }

    public var enabled: [CommandName]
    public var off: [Off]

    /// - Parameters:
    ///   - supported: what the incident backend implements (``IncidentService/supportedCommands``).
    ///   - knowsRooms: whether the gateway keeps invited rooms (a ``RoomRegistry``); without one,
    ///     `!leave` is not offered at all.
    public init(kind: Kind, room: String, policy: RoomPolicy, supported: Set<CommandName>, backendName: String,
                knowsRooms: Bool) {
        var enabled: [CommandName] = []
        var off: [Off] = []
        for command in CommandName.allCases {
            switch Self.availability(command, kind: kind, room: room, policy: policy, supported: supported,
                                     backendName: backendName, knowsRooms: knowsRooms) {
            case .some(nil): enabled.append(command)
            case .some(let reason?): off.append(Off(command: command, reason: reason))
            case .none: break
            }
        }
        self.enabled = enabled
        self.off = off
    }

    /// The commands an incident backend implements or not (``IncidentService/supportedCommands``);
    /// the others are the gateway's own.
    static let backendCommands: Set<CommandName> = [.ack, .resolve, .note, .incidents, .incident, .trigger, .oncall,
                                                    .reassign, .escalate, .snooze]

    /// nil when enabled here.
    public func reason(_ command: CommandName) -> String? {
        off.first { $0.command == command }?.reason
    }

    public func isShown(_ command: CommandName) -> Bool {
        enabled.contains(command) || off.contains { $0.command == command }
    }

    /// `.some(nil)` enabled, `.some(reason)` off with a reason, `.none` not offered here at all.
    private static func availability(_ command: CommandName, kind: Kind, room: String, policy: RoomPolicy,
                                     supported: Set<CommandName>, backendName: String, knowsRooms: Bool) -> String?? {
        switch command {
        case .help:
            return .some(nil)
        case .leave:
            guard knowsRooms else { return .none }
            switch kind {
            case .direct: return .none
            case .invited: return .some(nil)
            case .configured: return .some("\(room) is a configured room: remove it from the configuration to make the bot leave")
            case .other: return .some("the bot was not invited to \(room), so it does not leave on request")
            }
        default:
            break
        }
        if command != .whoami, !supported.contains(command) {
            // The gateway's own commands a backend does not list are simply not offered.
            return backendCommands.contains(command) ? .some("\(backendName) does not support it") : .none
        }
        // Read-only first: it is the reason that holds whatever the command list says.
        if command.isWrite, policy.writers == .nobody {
            switch kind {
            case .configured: return .some("this room is read-only (its policy says writers: nobody)")
            case .direct: return .some("direct messages are read-only (direct_messages.writers: nobody)")
            case .invited, .other:
                return .some("this room is read-only (invited rooms are read-only unless default_room_policy.writers)")
            }
        }
        guard policy.allows(command) else {
            switch kind {
            case .configured: return .some("it is not in this room's command list (policy.commands)")
            case .direct: return .some("it is not in direct_messages.commands")
            case .invited, .other: return .some("it is not in default_room_policy.commands")
            }
        }
        return .some(nil)
    }
}
