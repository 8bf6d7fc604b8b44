#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import IRC

/// Answers to CTCP queries (VERSION, PING, TIME) sent to the bot in a PRIVMSG.
///
/// Answers go by NOTICE, which is never answered in turn (RFC 2812 §3.3.2, CTCP spec
/// "Message types"). Anyone can ask, so the number of answers waiting in the outgoing queue is
/// capped: a CTCP flood costs a few lines, never the flood budget of real messages.
struct IRCCTCPResponder: Sendable {
    enum Answer: Sendable, Hashable {
        /// Queue this NOTICE (at the lowest priority).
        case reply(IRCMessage)
        /// A query we answer, but too many answers are queued already.
        case tooManyQueued
        /// ACTION and the queries we do not answer.
        case nothing
    }

    /// Most answers queued at once; more queries are ignored.
    var maxQueuedReplies: Int
    private let wallClock: @Sendable () -> Date

    init(maxQueuedReplies: Int = 3, wallClock: @escaping @Sendable () -> Date = { Date() }) {
        self.maxQueuedReplies = maxQueuedReplies
        self.wallClock = wallClock
    }

    /// The answer to `command` from `nick`, given how many answers are already queued.
    func answer(_ command: String, argument: String?, from nick: String, queuedReplies: @autoclosure () -> Int) -> Answer {
        let reply: String
        switch command {
        case "VERSION": reply = CTCP.encode(command: "VERSION", argument: "Tocsin incident gateway")
        case "PING": reply = CTCP.encode(command: "PING", argument: argument)
        case "TIME": reply = CTCP.encode(command: "TIME", argument: Self.time(wallClock()))
        default: return .nothing
        }
        guard queuedReplies() < maxQueuedReplies else { return .tooManyQueued }
        return .reply(IRCMessage(command: "NOTICE", parameters: [nick, reply]))
    }

    /// ISO 8601 in UTC, computed by hand rather than with a `DateFormatter`.
    static func time(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970)
        let days = seconds / 86_400
        let rest = seconds % 86_400
        // Civil date from days since the epoch (H. Hinnant).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(rest / 3600)):\(two(rest % 3600 / 60)):\(two(rest % 60))Z"
    }
}
