/// Whether to follow an invitation into a room.
///
/// Rooms are matched by glob (`#ops-*`, `*@conference.example.org`); when `inviters` is set, the
/// inviter must be one of those verified identities. An unverified inviter is refused then, since
/// a nick proves nothing.
///
/// It fails closed: invitations are refused unless `accept` is set *and* at least one room pattern
/// matches — no patterns means no room (write `*` to take any). Whether the inviter is who they
/// claim, and whether the room is a real room, is the transport's job before it asks.
public struct InvitePolicy: Sendable, Hashable {
    public var accept: Bool
    /// Glob patterns of the rooms that may be joined; empty refuses every invitation.
    public var roomPatterns: [String]
    public var inviters: Set<ChatIdentity>?

    public init(accept: Bool = false, roomPatterns: [String] = [], inviters: Set<ChatIdentity>? = nil) {
        self.accept = accept
        self.roomPatterns = roomPatterns
        self.inviters = inviters
    }

    public func allows(room: String, inviter: ChatIdentity?) -> Bool {
        guard accept, roomPatterns.contains(where: { Glob.matches($0, room.lowercased()) }) else { return false }
        guard let inviters else { return true }
        guard let inviter else { return false }
        return inviters.contains(inviter)
    }
}

/// `*` and `?` wildcards, case-insensitive; enough for room names, no regex engine exposed to config.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.lowercased().unicodeScalars)
        let t = Array(text.lowercased().unicodeScalars)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            // `*` is tested first: a literal `*` in the text must not consume the pattern's wildcard.
            if pi < p.count, p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1; ti += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
