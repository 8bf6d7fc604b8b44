extension MUC {
    /// Why a room refused our join presence (XEP-0045 §7.2.6–§7.2.12).
    public enum JoinFailure: Hashable, Sendable, CustomStringConvertible {
        /// 409 `conflict`: the nickname is in use — pick another one (§7.2.9).
        case nicknameInUse
        /// 401 `not-authorized`: a password is required or wrong (§7.2.6).
        case passwordRequired
        /// 403 `forbidden`: we are banned (§7.2.8).
        case banned
        /// 407 `registration-required`: members-only room (§7.2.7).
        case membersOnly
        /// 503 `service-unavailable`: the room is full (§7.2.10).
        case roomFull
        /// 404 `item-not-found`: the room does not exist or is locked (§7.2.11, §7.2.12).
        case roomNotFound
        /// 405 `not-allowed`: room creation is restricted (§10.1.1).
        case creationNotAllowed
        /// Any other condition.
        case other(String)

        /// Reads the failure from an error presence; `nil` if it is not one.
        public init?(presence: Presence) {
            guard presence.isError else { return nil }
            switch presence.errorCondition ?? "undefined-condition" {
            case "conflict": self = .nicknameInUse
            case "not-authorized": self = .passwordRequired
            case "forbidden": self = .banned
            case "registration-required": self = .membersOnly
            case "service-unavailable": self = .roomFull
            case "item-not-found": self = .roomNotFound
            case "not-allowed": self = .creationNotAllowed
            case let condition: self = .other(condition)
            }
        }

        public var description: String {
            switch self {
            case .nicknameInUse: "the nickname is already in use in this room; configure another nickname"
            case .passwordRequired: "the room needs a password (missing or wrong); set the room password in the configuration"
            case .banned: "the bot is banned from this room; ask a room owner to lift the ban"
            case .membersOnly: "the room is members-only; ask a room owner to make the bot a member"
            case .roomFull: "the room has reached its maximum number of occupants"
            case .roomNotFound: "the room does not exist or is locked"
            case .creationNotAllowed: "the room does not exist and the bot may not create it"
            case .other(let condition): "the room refused the join (\(condition))"
            }
        }
    }
}
