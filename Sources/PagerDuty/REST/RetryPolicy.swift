import Foundation

/// When and how long to wait before repeating a request.
///
/// PagerDuty's guidance (developer docs, REST API › "Errors" and "Rate Limits"): 429 means slow down
/// and wait — `ratelimit-reset` says how many seconds until the limit resets; 5xx are transient and
/// worth retrying; 4xx otherwise will not succeed on repeat. Without a server hint the wait grows
/// exponentially with "equal jitter" (half fixed, half random), so several gateways retrying
/// together spread out.
struct RetryPolicy: Sendable {
    var maxRetries: Int
    var baseDelay: Duration = .milliseconds(500)
    var maxBackoff: Duration = .seconds(8)
    /// The longest server-requested wait honoured; see ``PagerDutyConfiguration/maxRetryWait``.
    var maxServerWait: Duration

    /// The wait before retry number `retry` (1 for the first) when the server gave no hint.
    /// `jitter` is in 0..<1.
    func backoff(retry: Int, jitter: Double) -> Duration {
        let exponent = min(max(retry - 1, 0), 20)
        let full = min(baseDelay * (1 << exponent), maxBackoff)
        let half = full / 2
        return half + half * min(max(jitter, 0), 1)
    }

    enum Classification: Sendable, Equatable {
        case success
        /// Rate limited: wait and repeat, without counting against PagerDuty's health.
        case rateLimited
        /// A server-side failure: repeat, and count it toward opening the circuit.
        case serverFailure
        /// Final: 4xx other than 408/429.
        case clientError
    }

    static func classify(status: Int) -> Classification {
        switch status {
        case 200..<300: .success
        case 429: .rateLimited
        case 408, 500..<600: .serverFailure
        default: .clientError
        }
    }

    /// The wait the server asked for, if any: `Retry-After` (delta-seconds or an HTTP-date,
    /// RFC 9110 §10.2.3) on 429 and 503, else `ratelimit-reset` (seconds until the limit resets,
    /// PagerDuty "Rate Limits" › "Rate limit headers") on 429 only — on other answers it describes
    /// the current window, not this failure.
    static func serverRequestedWait(in response: HTTPExchangeResponse, now: Date) -> Duration? {
        if response.status == 429 || response.status == 503, let value = response.header("Retry-After") {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            if let seconds = Int(trimmed), seconds >= 0 { return .seconds(seconds) }
            if let date = httpDate(trimmed) { return .seconds(max(0, Int(date.timeIntervalSince(now).rounded(.up)))) }
        }
        if response.status == 429, let value = response.header("ratelimit-reset"),
           let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            return .milliseconds(Int((seconds * 1000).rounded(.up)))
        }
        return nil
    }

    /// IMF-fixdate, the form RFC 9110 §5.6.7 requires senders to use.
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}

extension Duration {
    var secondsDouble: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// "30 s", "1.5 s", "250 ms" for messages.
    var spoken: String {
        let seconds = secondsDouble
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds == seconds.rounded() { return "\(Int(seconds)) s" }
        return String(format: "%.1f s", seconds)
    }
}
