import Synchronization
import TocsinCore

/// An ``IncidentService`` whose calls on incident N wait until the test opens gate N: a slow
/// incident API whose slowness the test controls. Records when each call starts and ends.
final class GatedIncidentService: IncidentService {
    let backendName = "the gated fake"
    let supportedCommands = Set(CommandName.allCases)
    /// Numbers whose calls wait for ``open(_:)``; others answer at once.
    private let gated: Set<Int>
    private let state = Mutex<(opened: Set<Int>, waiters: [Int: [CheckedContinuation<Void, Never>]], log: [String])>(([], [:], []))

    init(gated: Set<Int>) { self.gated = gated }

    /// "start ack 1", "end ack 1", … in the order they happened.
    var log: [String] { state.withLock { $0.log } }

    func open(_ number: Int) {
        let waiting = state.withLock { state in
            state.opened.insert(number)
            return state.waiters.removeValue(forKey: number) ?? []
        }
        for continuation in waiting { continuation.resume() }
    }

    private func pass(_ call: String, _ number: Int) async {
        state.withLock { $0.log.append("start \(call) \(number)") }
        if gated.contains(number) {
            await withCheckedContinuation { continuation in
                let open = state.withLock { state in
                    if state.opened.contains(number) { return true }
                    state.waiters[number, default: []].append(continuation)
                    return false
                }
                if open { continuation.resume() }
            }
        }
        state.withLock { $0.log.append("end \(call) \(number)") }
    }

    func acknowledge(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome] {
        for number in numbers { await pass("ack", number) }
        return numbers.map { .changed(Fixtures.incident($0, status: .acknowledged)) }
    }

    func resolve(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome] {
        for number in numbers { await pass("resolve", number) }
        return numbers.map { .changed(Fixtures.incident($0, status: .resolved)) }
    }

    func details(of number: Int) async throws -> IncidentDetails {
        await pass("details", number)
        return IncidentDetails(incident: Fixtures.incident(number), notes: [], timeline: [])
    }

    func addNote(to number: Int, content: String, by actor: Actor) async throws -> Incident { throw IncidentServiceError.unavailable("not faked") }
    func openIncidents(limit: Int) async throws -> IncidentPage { IncidentPage(incidents: [], more: false) }
    func trigger(service: String, title: String, by actor: Actor) async throws -> Incident { throw IncidentServiceError.unavailable("not faked") }
    func onCall(name: String?) async throws -> [OnCallEntry] { [] }
    func reassign(_ number: Int, to user: String, by actor: Actor) async throws -> Incident { throw IncidentServiceError.unavailable("not faked") }
    func escalate(_ number: Int, toLevel level: Int?, by actor: Actor) async throws -> Incident { throw IncidentServiceError.unavailable("not faked") }
    func snooze(_ number: Int, for seconds: Int, by actor: Actor) async throws -> Incident { throw IncidentServiceError.unavailable("not faked") }
}
