import IRC

/// Getting the configured nick back after registering under another one (433 at connect time,
/// a ghost of our previous connection still online).
///
/// Tries every `interval`, and at once when the holder quits or changes nick (RFC 2812 §3.1.2:
/// a `NICK` for a free nick simply succeeds). Stops once the server confirms the nick.
struct IRCNickRegain: Sendable, Hashable {
    enum State: Sendable, Hashable {
        /// We have the configured nick: nothing to do.
        case holdingWantedNick
        /// We are under another nick; the next periodic attempt is at that time.
        case waiting(until: ContinuousClock.Instant)
    }

    let wanted: String
    let interval: Duration
    private(set) var state: State

    /// Registration finished as `nick`.
    init(wanted: String, interval: Duration, registeredAs nick: String, caseMapping: IRCCaseMapping, now: ContinuousClock.Instant) {
        self.wanted = wanted
        self.interval = interval
        self.state = caseMapping.equal(nick, wanted) ? .holdingWantedNick : .waiting(until: now + interval)
    }

    /// True when the periodic attempt is due at `now`.
    func isDue(now: ContinuousClock.Instant) -> Bool {
        if case .waiting(let until) = state { return now >= until }
        return false
    }

    var nextDeadline: ContinuousClock.Instant? {
        if case .waiting(let until) = state { return until }
        return nil
    }

    /// Decides an attempt now (periodic, or because the holder left): true when a `NICK` for
    /// ``wanted`` should be sent; the next periodic attempt is then `interval` away.
    mutating func attempt(currentNick: String, caseMapping: IRCCaseMapping, now: ContinuousClock.Instant) -> Bool {
        guard !caseMapping.equal(currentNick, wanted) else {
            state = .holdingWantedNick
            return false
        }
        state = .waiting(until: now + interval)
        return true
    }

    /// The server renamed us to `nick`. Returns true when that is the wanted nick.
    mutating func renamed(to nick: String, caseMapping: IRCCaseMapping) -> Bool {
        guard caseMapping.equal(nick, wanted) else { return false }
        state = .holdingWantedNick
        return true
    }
}
