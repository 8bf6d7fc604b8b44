import Foundation

/// Short ages for chat (`40 s`, `5 m`, `3 h`, `2 d`): how long ago something happened, the way a
/// person reads a list at a glance.
public enum RelativeAge {
    public static func format(from then: Date, to now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(then)))
        switch seconds {
        case ..<60: return "\(seconds) s"
        case ..<3600: return "\(seconds / 60) m"
        case ..<86400: return "\(seconds / 3600) h"
        default: return "\(seconds / 86400) d"
        }
    }
}
