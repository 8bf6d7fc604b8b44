/// Parses human durations for `!snooze`: `30m`, `2h`, `1h30m`, `90s`, `1d`.
///
/// A bare number is refused rather than guessed (minutes? seconds?) — at 3 a.m. a snooze
/// ten times longer than meant is worse than a usage reply.
public enum SnoozeDuration {
    /// PagerDuty refuses snoozes beyond a week; the embedded store uses the same bound.
    public static let maximumSeconds = 7 * 24 * 3600

    public static func seconds(from text: String) -> Int? {
        var total = 0
        var digits = ""
        var sawUnit = false
        for character in text.lowercased() {
            if let digit = character.wholeNumberValue, character.isASCII {
                digits.append(character)
                guard digits.count <= 6 else { return nil }
                _ = digit
                continue
            }
            let multiplier: Int
            switch character {
            case "s": multiplier = 1
            case "m": multiplier = 60
            case "h": multiplier = 3600
            case "d": multiplier = 86400
            default: return nil
            }
            guard let value = Int(digits) else { return nil }
            total += value * multiplier
            digits = ""
            sawUnit = true
        }
        guard sawUnit, digits.isEmpty, total > 0, total <= maximumSeconds else { return nil }
        return total
    }

    /// `5400` → `1h30m`, for replies.
    public static func format(seconds: Int) -> String {
        var rest = seconds
        var parts: [String] = []
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            parts.append("\(rest / size)\(unit)")
            rest %= size
        }
        return parts.isEmpty ? "0s" : parts.joined()
    }
}
