/// A parsed chat command with typed arguments. Parsing happens once, in ``CommandParser``,
/// for every front-end.
public enum Command: Sendable, Hashable {
    case ack([Int])
    case resolve([Int])
    case note(Int, String)
    case incidents
    case incident(Int)
    case trigger(service: String, summary: String)
    case oncall(String?)
    case reassign(Int, to: String)
    case escalate(Int, level: Int?)
    case snooze(Int, seconds: Int)
    case whoami
    case help(CommandName?)
    case leave
    case web
    case postmortem(Int)
    /// `!incidents mine`: open incidents assigned to the sender (issue 12).
    case incidentsMine
    /// `!subscribe …`: this room gets these incidents' announcements (issue 12).
    case subscribe(SubscriptionRequest)
    case unsubscribe(SubscriptionRequest)
    case subscriptions

    public var name: CommandName {
        switch self {
        case .ack: .ack
        case .resolve: .resolve
        case .note: .note
        case .incidents: .incidents
        case .incident: .incident
        case .trigger: .trigger
        case .oncall: .oncall
        case .reassign: .reassign
        case .escalate: .escalate
        case .snooze: .snooze
        case .whoami: .whoami
        case .help: .help
        case .leave: .leave
        case .web: .web
        case .postmortem: .postmortem
        case .incidentsMine: .incidents
        case .subscribe: .subscribe
        case .unsubscribe: .unsubscribe
        case .subscriptions: .subscriptions
        }
    }
}
