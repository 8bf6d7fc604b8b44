/// One token bucket's shape: up to `burst` commands at once, then `perMinute` more per minute.
public struct RateLimit: Sendable, Hashable, Codable {
    public var burst: Int
    public var perMinute: Double

    public init(burst: Int, perMinute: Double) {
        self.burst = max(1, burst)
        self.perMinute = perMinute > 0 ? perMinute : 1
    }

    /// Time to earn one token.
    var refillInterval: Duration { .seconds(60 / perMinute) }
}

/// The command rate limits of a gateway (`gateway.rate_limits` in the configuration).
///
/// Per user, so one person cannot monopolise the bot; per room, because an unverified nick is the
/// cheapest identity to rotate — a flood from fresh nicks still drains the room's bucket.
public struct CommandRateLimits: Sendable, Hashable {
    public var perUser: RateLimit
    public var perRoom: RateLimit

    /// 5 at once then 10 a minute per user; 10 at once then 30 a minute per room. Generous for a
    /// person typing, tight for a script.
    public static let standard = CommandRateLimits(
        perUser: RateLimit(burst: 5, perMinute: 10), perRoom: RateLimit(burst: 10, perMinute: 30))

    public init(perUser: RateLimit, perRoom: RateLimit) {
        self.perUser = perUser
        self.perRoom = perRoom
    }
}
