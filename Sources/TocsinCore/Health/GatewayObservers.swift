/// How a chat command ended, for the `tocsin_commands_total` counter and the latency histogram.
public enum CommandOutcome: String, Sendable, Hashable, CaseIterable {
    /// Ran and answered.
    case ok
    /// The sender may not run it here (authorization policy).
    case refused
    /// Ran, but the incident API failed or the arguments named nothing that exists.
    case failed
    /// Not a valid command line (unknown command, bad arguments): answered with usage.
    case invalid
    /// The backend does not offer it.
    case unsupported
}

/// Told once per command that produced a reply: which command, how it ended and how long it took
/// from the start of its run to its reply being ready (queueing before the run not included).
public protocol CommandObserver: Sendable {
    func commandFinished(_ command: String, outcome: CommandOutcome, duration: Duration)
}

/// Told once per incident API call (PagerDuty REST or the embedded store), with its operation
/// (`acknowledge`, `open_incidents`…), whether it succeeded, and its latency including retries.
public protocol IncidentAPIObserver: Sendable {
    func apiCallFinished(_ operation: String, succeeded: Bool, duration: Duration)
}
