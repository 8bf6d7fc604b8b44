/// The one line the bot says when it joins a room it was invited to: what it does, which commands
/// run here, what the room is subscribed to, and how to subscribe — so a team that just typed
/// `/invite` is not left guessing.
public struct RoomGreeting: Sendable {
    public var prefix: String

    public init(prefix: String = "!") {
        self.prefix = prefix
    }

    /// - Parameter recording: the room's `record:` mode; when it keeps lines, the greeting says so
    ///   (issue 13, item 3: people should know what is kept about what they say here).
    public func text(inviterName: String?, commands: RoomCommands, routes: [RouteRule], recording: RecordMode? = nil) -> RichText {
        // One line: on IRC it must fit one PRIVMSG (about 400 characters after the prefix).
        var spans: [Span] = [.bold("Tocsin"), .plain(" here")]
        if let inviterName, !inviterName.isEmpty { spans.append(.plain(", invited by \(inviterName)")) }
        spans.append(.plain(": I announce incidents and run incident commands. Commands here: "))
        spans.append(.code(commands.enabled.map { "\(prefix)\($0.rawValue)" }.joined(separator: " ")))
        if let readOnly = commands.off.first(where: { $0.command.isWrite && $0.reason.contains("read-only") }) {
            spans.append(.plain("; \(prefix)\(readOnly.command.rawValue) and other changes are off: \(readOnly.reason)"))
        }
        spans.append(.plain(". Subscribed to: \(Self.describe(routes)); subscribe with "))
        spans.append(.code("\(prefix)subscribe SERVICE|team:TEAM|all"))
        if let disclosure = recording?.disclosure {
            spans.append(.plain(". Recorded here: \(disclosure)"))
        }
        return RichText(spans)
    }

    /// "nothing yet", "all incidents", or each route's filters ("service api, urgency high").
    public static func describe(_ routes: [RouteRule]) -> String {
        guard !routes.isEmpty else { return "nothing yet" }
        let parts = routes.map { rule -> String in
            var filters: [String] = []
            if let services = rule.services { filters.append("service " + services.sorted().joined(separator: "/")) }
            if let teams = rule.teams { filters.append("team " + teams.sorted().joined(separator: "/")) }
            if let urgencies = rule.urgencies { filters.append("urgency " + urgencies.map(\.rawValue).sorted().joined(separator: "/")) }
            if let severity = rule.minimumSeverity { filters.append("severity ≥ \(severity.rawValue)") }
            if let kinds = rule.kinds { filters.append(kinds.map(\.rawValue).sorted().joined(separator: "/")) }
            return filters.isEmpty ? "all incidents" : filters.joined(separator: ", ")
        }
        var seen = Set<String>()
        return parts.filter { seen.insert($0).inserted }.joined(separator: "; ")
    }
}

/// Everything the greeting needs to know about the gateway: the room's policy, what the backend
/// supports, and the routes in force (the shared ``Router``, so chat subscriptions show at once).
public struct RoomGreeter: Sendable {
    public var policy: AuthorizationPolicy
    public var supported: Set<CommandName>
    public var backendName: String
    public var prefix: String
    public var router: Router
    /// What is recorded per room (issue 13); nil when the gateway records nothing (no incident pages).
    public var recording: RecordingRules?

    public init(policy: AuthorizationPolicy, supported: Set<CommandName>, backendName: String, prefix: String, router: Router,
                recording: RecordingRules? = nil) {
        self.policy = policy
        self.supported = supported
        self.backendName = backendName
        self.prefix = prefix
        self.router = router
        self.recording = recording
    }

    public func greeting(for room: InvitedRoom) -> RichText {
        let commands = RoomCommands(kind: .invited, room: room.room, policy: policy.policy(for: room.destination),
                                    supported: supported, backendName: backendName, knowsRooms: true)
        return RoomGreeting(prefix: prefix).text(inviterName: room.inviterName, commands: commands,
                                                 routes: router.rules(for: room.destination),
                                                 recording: recording?.mode(for: room.destination))
    }
}
