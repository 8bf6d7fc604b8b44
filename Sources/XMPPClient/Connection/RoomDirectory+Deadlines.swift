extension RoomDirectory {
    /// The earliest time ``tick(now:)`` has something to do for a room: a join that timed out, a
    /// rejoin after a kick, a retry after a refusal, a self-ping (XEP-0410). nil when nothing is
    /// scheduled, so an idle connection is not woken for its rooms.
    var nextDeadline: ContinuousClock.Instant? {
        var earliest: ContinuousClock.Instant?
        func consider(_ instant: ContinuousClock.Instant?) {
            guard let instant else { return }
            if earliest.map({ instant < $0 }) ?? true { earliest = instant }
        }
        for jid in order {
            guard let room = rooms[jid] else { continue }
            switch room.status {
            case .joining(let since): consider(since.advanced(by: joinTimeout))
            case .left(_, let rejoinAt): consider(rejoinAt)
            case .refused(_, let retryAt): consider(retryAt)
            case .joined: consider(room.nextSelfPing)
            case .idle, .banned: break
            }
        }
        return earliest
    }
}
