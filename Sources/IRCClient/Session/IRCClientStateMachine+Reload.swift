import IRC

/// A configuration reload (SIGHUP) on a live connection: a room added to `rooms:` is joined,
/// new flood settings apply to the lines not sent yet. Neither reconnects.
extension IRCClientStateMachine {
    /// Joins `room` now when registered (else with the other rooms at registration); from then
    /// on it is a configured room, rejoined on every reconnect.
    public mutating func joinConfigured(_ room: IRCClientConfiguration.Room, now: ContinuousClock.Instant) -> [Action] {
        guard rooms.configure(room) else { return [] }
        guard case .registered = phase else { return [.log(.info, "\(room.name) added to the configuration; joining once registered")] }
        for join in rooms.joinsDue(now: now, isupport: isupport) {
            enqueue(join, .protocolMessage)
        }
        return [.log(.info, "joining \(room.name) (added to the configuration)")] + pump(now: now)
    }

    /// Flood control from now on; tokens already spent stay spent.
    public mutating func setFlood(_ flood: IRCClientConfiguration.FloodControl, now: ContinuousClock.Instant) -> [Action] {
        queue.setFlood(flood, now: now)
        return [.log(.info, "flood control now: burst \(flood.burst), then one line per \(flood.interval.formattedSeconds)")]
            + pump(now: now)
    }
}
