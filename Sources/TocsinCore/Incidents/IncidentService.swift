import Foundation

/// The person a change is made as: the incident-platform user a verified chat identity maps to.
/// PagerDuty needs the email in the `From` header of every write.
public struct Actor: Sendable, Hashable, Codable, CustomStringConvertible {
    public var email: String

    public init(email: String) { self.email = email }

    public var description: String { email }
}

/// The result of a state change on one incident. A list of these lets `!ack 1 2 3` report
/// each number on its own instead of failing the whole command for one bad number.
public enum TransitionOutcome: Sendable, Hashable {
    case changed(Incident)
    /// Already in the requested state: acknowledging twice is not an error.
    case unchanged(Incident)
    case failed(number: Int, IncidentServiceError)

    public var number: Int {
        switch self {
        case .changed(let incident), .unchanged(let incident): incident.number
        case .failed(let number, _): number
        }
    }
}

/// Everything chat commands need from an incident platform.
///
/// Implementations: the embedded SQLite store (the default) and PagerDuty's REST API v2.
/// Methods throw ``IncidentServiceError``; the command layer turns it into a one-line reply.
public protocol IncidentService: Sendable {
    /// Shown in replies such as "the embedded store does not support !oncall".
    var backendName: String { get }
    /// Commands this backend can carry out; others get a clear "not supported" reply.
    var supportedCommands: Set<CommandName> { get }

    func acknowledge(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome]
    func resolve(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome]
    func addNote(to number: Int, content: String, by actor: Actor) async throws -> Incident
    func openIncidents(limit: Int) async throws -> IncidentPage
    func details(of number: Int) async throws -> IncidentDetails
    func trigger(service: String, title: String, by actor: Actor) async throws -> Incident
    func onCall(name: String?) async throws -> [OnCallEntry]
    func reassign(_ number: Int, to user: String, by actor: Actor) async throws -> Incident
    func escalate(_ number: Int, toLevel level: Int?, by actor: Actor) async throws -> Incident
    func snooze(_ number: Int, for seconds: Int, by actor: Actor) async throws -> Incident
    /// The backend that can commit a command's change, announcements and reply in one transaction
    /// (see ``TransactionalCommandService``), if this is or wraps one. A wrapper (metrics, logging)
    /// returns its base's, so wrapping never silently turns the one-write path off.
    var transactional: (any TransactionalCommandService)? { get }
}

extension IncidentService {
    public var transactional: (any TransactionalCommandService)? { self as? any TransactionalCommandService }
}

/// Errors every backend reports in the same words, so chat replies read the same on any backend.
public enum IncidentServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound(number: Int)
    case invalidTransition(number: Int, from: IncidentStatus, to: String)
    case unknownService(String)
    case unknownUser(String)
    case unknownOnCallScope(String)
    case invalidArgument(String)
    case unsupported(command: String, backend: String)
    /// The platform refused the request; `message` is its own reason, shown to the user.
    case rejected(status: Int, message: String)
    /// The platform could not be reached or kept failing after retries.
    case unavailable(String)

    public var description: String {
        switch self {
        case .notFound(let number): "incident #\(number) does not exist"
        case .invalidTransition(let number, let from, let to): "#\(number) is \(from.rawValue), cannot \(to) it"
        case .unknownService(let name): "no service named \"\(name)\""
        case .unknownUser(let name): "no user matches \"\(name)\""
        case .unknownOnCallScope(let name): "no schedule or escalation policy named \"\(name)\""
        case .invalidArgument(let text): text
        case .unsupported(let command, let backend): "\(backend) does not support !\(command)"
        case .rejected(let status, let message): "the incident API refused (\(status)): \(message)"
        case .unavailable(let reason): "the incident API is unavailable: \(reason)"
        }
    }
}
