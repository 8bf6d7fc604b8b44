/// Every chat command Tocsin knows. The raw value is what people type after the prefix.
public enum CommandName: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case ack
    case resolve
    case note
    case incidents
    case incident
    case trigger
    case oncall
    case reassign
    case escalate
    case snooze
    case whoami
    case help
    /// Leave this room and forget it: rooms joined by invitation only (issue 12).
    case leave
    /// A one-time sign-in link for the incident pages, answered privately (issue 13).
    case web
    /// The link to an incident's postmortem in Markdown (issue 13).
    case postmortem
    /// Subscribe this room to incidents from chat, unsubscribe, list (issue 12).
    case subscribe
    case unsubscribe
    case subscriptions

    /// Write commands change an incident and need a verified, mapped chat identity.
    public var isWrite: Bool {
        switch self {
        case .ack, .resolve, .note, .trigger, .reassign, .escalate, .snooze: true
        case .leave: false
        // Changing what a room is told is the room writers' decision (issue 12).
        case .subscribe, .unsubscribe: true
        case .subscriptions: false
        case .incidents, .incident, .oncall, .whoami, .help, .web, .postmortem: false
        }
    }

    /// The argument grammar, shown in usage replies and `!help`.
    public var usage: String {
        switch self {
        case .ack: "ack N [N…]"
        case .resolve: "resolve N [N…]"
        case .note: "note N text"
        case .incidents: "incidents [mine]"
        case .incident: "incident N"
        case .trigger: "trigger SERVICE summary…"
        case .oncall: "oncall [SCHEDULE]"
        case .reassign: "reassign N USER"
        case .escalate: "escalate N [LEVEL]"
        case .snooze: "snooze N DURATION (e.g. 30m, 2h)"
        case .whoami: "whoami"
        case .help: "help [COMMAND]"
        case .leave: "leave"
        case .web: "web"
        case .postmortem: "postmortem N"
        case .subscribe: "subscribe SERVICE|team:TEAM|all [high|low] [events…]"
        case .unsubscribe: "unsubscribe SERVICE|team:TEAM|all [high|low] [events…]"
        case .subscriptions: "subscriptions"
        }
    }

    public var summary: String {
        switch self {
        case .ack: "acknowledge incidents (no number: the triggered ones assigned to you)"
        case .resolve: "resolve incidents"
        case .note: "add a note to an incident"
        case .incidents: "list open incidents, newest first (mine: assigned to you)"
        case .incident: "show one incident with its notes and timeline"
        case .trigger: "open an incident on a service"
        case .oncall: "who is on call now"
        case .reassign: "assign an incident to someone else"
        case .escalate: "escalate an incident (to a level)"
        case .snooze: "snooze an acknowledged incident"
        case .whoami: "show your verified identity and incident-platform user"
        case .help: "list commands or explain one"
        case .leave: "make the bot leave this room for good (its inviter or the room's writers)"
        case .web: "get a one-time link to the incident pages, sent privately"
        case .postmortem: "link to an incident's postmortem (Markdown, with the chat)"
        case .subscribe: "announce a service's (or a team's, or all) incidents in this room"
        case .unsubscribe: "stop a subscription made from chat"
        case .subscriptions: "what this room is subscribed to (configuration routes are read-only)"
        }
    }

    public static func < (lhs: CommandName, rhs: CommandName) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
