import Foundation
import TocsinCore

/// An ``IncidentService`` that answers at once, so the command path measures Tocsin alone:
/// `!ack N` acknowledges incident N (any number exists) and nothing is stored.
struct InstantIncidentService: IncidentService {
    let backendName = "the benchmark's instant service"
    let supportedCommands: Set<CommandName> = [.ack, .resolve]
    private static let epoch = Date(timeIntervalSince1970: 1_750_000_000)

    func incident(_ number: Int, status: IncidentStatus) -> Incident {
        Incident(
            number: number, id: "PBENCH\(number)", title: "Disk full on db-\(number % 17)", service: "api",
            team: "platform", urgency: .high, severity: .critical, status: status,
            createdAt: Self.epoch, updatedAt: Self.epoch)
    }

    func acknowledge(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome] {
        numbers.map { .changed(incident($0, status: .acknowledged)) }
    }

    func resolve(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome] {
        numbers.map { .changed(incident($0, status: .resolved)) }
    }

    private func unsupported(_ command: String) -> IncidentServiceError {
        .unsupported(command: command, backend: backendName)
    }

    func addNote(to number: Int, content: String, by actor: Actor) async throws -> Incident { throw unsupported("note") }
    func openIncidents(limit: Int) async throws -> IncidentPage { throw unsupported("incidents") }
    func details(of number: Int) async throws -> IncidentDetails { throw unsupported("incident") }
    func trigger(service: String, title: String, by actor: Actor) async throws -> Incident { throw unsupported("trigger") }
    func onCall(name: String?) async throws -> [OnCallEntry] { throw unsupported("oncall") }
    func reassign(_ number: Int, to user: String, by actor: Actor) async throws -> Incident { throw unsupported("reassign") }
    func escalate(_ number: Int, toLevel level: Int?, by actor: Actor) async throws -> Incident { throw unsupported("escalate") }
    func snooze(_ number: Int, for seconds: Int, by actor: Actor) async throws -> Incident { throw unsupported("snooze") }
}
