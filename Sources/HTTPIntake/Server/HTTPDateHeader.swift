#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The `Date` response header (RFC 9110 §6.6.1: an origin server with a clock sends it), in the
/// IMF-fixdate form of §5.6.7 (`Sun, 06 Nov 1994 08:49:37 GMT`).
///
/// Formatted when a response asks for it and kept for the rest of that second, so a busy intake
/// formats it at most once a second and an idle one never: Hummingbird's own date cache re-formats
/// it from a one-second timer whether or not anyone asks (issue 11, item 4: no periodic ticks).
final class HTTPDateHeader: Sendable {
    private let cached = Mutex<(second: Int, text: String)>((Int.min, ""))

    /// The header for the current second (`time(2)`).
    func current() -> String { value(atEpochSecond: Int(time(nil))) }

    /// The header for `second` (seconds since 1970-01-01T00:00:00Z), reusing the last one formatted
    /// when it is for the same second.
    func value(atEpochSecond second: Int) -> String {
        cached.withLock { cached in
            if cached.second == second { return cached.text }
            let text = Self.imfFixdate(epochSecond: second)
            cached = (second, text)
            return text
        }
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `second` as an IMF-fixdate (RFC 9110 §5.6.7): always GMT, English day and month names,
    /// zero-padded fields.
    static func imfFixdate(epochSecond: Int) -> String {
        var seconds = time_t(epochSecond)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "" }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = Int(parts.tm_year) + 1900
        let yearText = year < 1000 ? String(repeating: "0", count: 4 - String(year).count) + String(year) : String(year)
        return "\(weekdays[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(yearText) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
