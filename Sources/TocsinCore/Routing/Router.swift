/// Decides which rooms hear about an incident event: the `routes:` of the configuration plus the
/// subscriptions made from chat, both held by one shared ``RouteTable`` so a `!subscribe` takes
/// effect at once everywhere this router was copied to.
public struct Router: Sendable {
    public let table: RouteTable
    /// Commands waiting for their own change to be announced in the room they were typed in, so
    /// that room gets one line per action (see ``CommandEchoes``).
    public let echoes: CommandEchoes

    public init(rules: [RouteRule], echoes: CommandEchoes = CommandEchoes()) {
        self.table = RouteTable(configured: rules)
        self.echoes = echoes
    }

    public init(table: RouteTable, echoes: CommandEchoes = CommandEchoes()) {
        self.table = table
        self.echoes = echoes
    }

    /// Every rule in force: configuration first, then chat subscriptions.
    public var rules: [RouteRule] { table.rules }

    /// Each matching room once, in configuration order. `#ops` and `#OPS` are the same room, so a
    /// room named twice with different case still hears the event once (first spelling kept).
    public func destinations(for event: IncidentEvent) -> [ChatDestination] {
        var seen = Set<ChatDestination>()
        return rules.filter { $0.matches(event) }.map(\.destination).filter { seen.insert($0.folded).inserted }
    }

    /// The rules that send events to `destination` (room names compared case-insensitively),
    /// configuration routes first — what `!subscriptions` and a room's greeting show.
    public func rules(for destination: ChatDestination) -> [RouteRule] {
        let wanted = destination.folded
        return rules.filter { $0.destination.folded == wanted }
    }
}
