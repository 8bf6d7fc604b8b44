import TocsinCore

/// An ``IncidentService`` that records every call and answers from what the test configured.
actor FakeIncidentService: IncidentService {
    enum Call: Hashable, Sendable {
        case acknowledge([Int], Actor)
        case resolve([Int], Actor)
        case addNote(Int, String, Actor)
        case openIncidents(limit: Int)
        case details(Int)
        case trigger(service: String, title: String, Actor)
        case onCall(String?)
        case reassign(Int, to: String, Actor)
        case escalate(Int, level: Int?, Actor)
        case snooze(Int, seconds: Int, Actor)
    }

    nonisolated let backendName: String
    nonisolated let supportedCommands: Set<CommandName>
    private(set) var calls: [Call] = []
    /// Thrown by every call when set.
    private let failure: (any Error)?
    /// Per-number outcome of `!ack`/`!resolve`; numbers not listed change.
    private let outcomes: [Int: TransitionOutcome]
    private let openPage: IncidentPage
    private let onCallEntries: [OnCallEntry]
    private let notes: [IncidentNote]

    init(
        backendName: String = "the embedded store",
        supportedCommands: Set<CommandName> = Set(CommandName.allCases),
        failure: (any Error)? = nil, outcomes: [Int: TransitionOutcome] = [:],
        openPage: IncidentPage = IncidentPage(incidents: [], more: false),
        onCallEntries: [OnCallEntry] = [], notes: [IncidentNote] = []
    ) {
        self.backendName = backendName
        self.supportedCommands = supportedCommands
        self.failure = failure
        self.outcomes = outcomes
        self.openPage = openPage
        self.onCallEntries = onCallEntries
        self.notes = notes
    }

    private func record(_ call: Call) throws {
        calls.append(call)
        if let failure { throw failure }
    }

    private func transition(_ numbers: [Int], to status: IncidentStatus) -> [TransitionOutcome] {
        numbers.map { outcomes[$0] ?? .changed(Fixtures.incident($0, status: status)) }
    }

    func acknowledge(_ numbers: [Int], by actor: Actor) throws -> [TransitionOutcome] {
        try record(.acknowledge(numbers, actor))
        return transition(numbers, to: .acknowledged)
    }

    func resolve(_ numbers: [Int], by actor: Actor) throws -> [TransitionOutcome] {
        try record(.resolve(numbers, actor))
        return transition(numbers, to: .resolved)
    }

    func addNote(to number: Int, content: String, by actor: Actor) throws -> Incident {
        try record(.addNote(number, content, actor))
        return Fixtures.incident(number)
    }

    func openIncidents(limit: Int) throws -> IncidentPage {
        try record(.openIncidents(limit: limit))
        return openPage
    }

    func details(of number: Int) throws -> IncidentDetails {
        try record(.details(number))
        return IncidentDetails(incident: Fixtures.incident(number), notes: notes, timeline: [])
    }

    func trigger(service: String, title: String, by actor: Actor) throws -> Incident {
        try record(.trigger(service: service, title: title, actor))
        return Fixtures.incident(77, title: title, service: service)
    }

    func onCall(name: String?) throws -> [OnCallEntry] {
        try record(.onCall(name))
        return onCallEntries
    }

    func reassign(_ number: Int, to user: String, by actor: Actor) throws -> Incident {
        try record(.reassign(number, to: user, actor))
        return Fixtures.incident(number, assignee: "Bob Example")
    }

    func escalate(_ number: Int, toLevel level: Int?, by actor: Actor) throws -> Incident {
        try record(.escalate(number, level: level, actor))
        return Fixtures.incident(number, escalationLevel: level ?? 2)
    }

    func snooze(_ number: Int, for seconds: Int, by actor: Actor) throws -> Incident {
        try record(.snooze(number, seconds: seconds, actor))
        return Fixtures.incident(number, status: .acknowledged)
    }
}
