/// Decides whether a refused invitation gets its one-line answer.
///
/// An invitation costs the sender one line and the bot one line back, paid from the same flood
/// budget as announcements; the server stamps the sender, so an answer only ever goes back to
/// whoever invited. To keep a crowd of nicks (or one person with a script) from spending the bot's
/// budget, each inviter gets at most one answer per ``perInviterInterval`` and a network at most
/// ``perNetworkLimit`` per ``perNetworkWindow``; beyond that refusals are only logged.
public struct InvitationAnswerLimiter: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public var perInviterInterval: Duration = .seconds(600)
    public var perNetworkLimit = 5
    public var perNetworkWindow: Duration = .seconds(600)
    private var lastAnswer: [ChatDestination: Instant] = [:]
    private var recent: [String: [Instant]] = [:]

    public init() {}

    /// True when an answer to `inviter` may be sent now; counts it.
    public mutating func admit(_ inviter: ChatDestination, now: Instant) -> Bool {
        let key = inviter.folded
        if let last = lastAnswer[key], now - last < perInviterInterval { return false }
        var window = (recent[inviter.network] ?? []).filter { now - $0 < perNetworkWindow }
        guard window.count < perNetworkLimit else {
            recent[inviter.network] = window
            return false
        }
        window.append(now)
        recent[inviter.network] = window
        lastAnswer = lastAnswer.filter { now - $0.value < perInviterInterval }
        lastAnswer[key] = now
        return true
    }
}
