/// A backend that keeps its incidents in the same database as the outbox (the embedded store) and
/// can therefore commit a command's change, its timeline entry, its announcements and the reply
/// in ONE write transaction (issue 11, item 2). The reply and announcements are then sent from
/// memory; their rows are only for recovery. Other backends (PagerDuty) make the API call, then
/// the outbox write, as before.
public protocol TransactionalCommandService: IncidentService {
    /// `!ack` (target `.acknowledged`) or `!resolve` (`.resolved`) on every number, with the reply
    /// that `reply` words from the outcomes, all in one transaction.
    ///
    /// - Returns: the outbox items stored (the reply first, then announcements and any summary
    ///   line), or nil when this instance cannot commit replies (then the caller takes the usual path).
    func transition(_ numbers: [Int], to target: IncidentStatus, by actor: Actor,
                    reply: @escaping @Sendable ([TransitionOutcome]) -> OutboxMessage) async throws -> [OutboxItem]?
}
