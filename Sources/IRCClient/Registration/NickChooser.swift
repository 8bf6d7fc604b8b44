/// Picks the nick to try next when the server refuses one during registration
/// (433 ERR_NICKNAMEINUSE, 432 ERR_ERRONEUSNICKNAME, 436 ERR_NICKCOLLISION, 437 ERR_UNAVAILRESOURCE).
///
/// Order: the configured nick, the configured alternatives, then `nick_1`, `nick_2`, … A 432 on a
/// generated nick is most likely a length limit we do not know yet (005 `NICKLEN` only arrives
/// after registration, and ngIRCd's default is 9), so generated nicks are then cut to fit 9
/// characters, RFC 1459's limit, which every server accepts.
public struct NickChooser: Sendable, Hashable {
    public let preferred: String
    public let alternatives: [String]
    public private(set) var current: String
    /// Candidates tried so far, including the current one.
    public private(set) var attempts = 1
    /// Give up after this many refusals: something else is wrong (e.g. a ban on the user@host).
    public let maxAttempts: Int

    private var alternativeIndex = 0
    private var generatedNumber = 0
    private var isGenerated = false
    private var lengthLimit: Int?

    public init(preferred: String, alternatives: [String], maxAttempts: Int = 30) {
        self.preferred = preferred
        self.alternatives = alternatives.filter { !$0.isEmpty && $0 != preferred }
        self.current = preferred
        self.maxAttempts = maxAttempts
    }

    /// The next nick after `current` was refused with `numeric`, or nil when out of attempts.
    public mutating func next(afterRefusal numeric: String) -> String? {
        guard attempts < maxAttempts else { return nil }
        attempts += 1
        if numeric == "432" && isGenerated && lengthLimit == nil {
            lengthLimit = 9
            generatedNumber -= 1  // retry the same number, shortened
        }
        if alternativeIndex < alternatives.count {
            current = alternatives[alternativeIndex]
            alternativeIndex += 1
            isGenerated = false
            return current
        }
        generatedNumber += 1
        isGenerated = true
        let suffix = "_\(generatedNumber)"
        var base = preferred
        if let lengthLimit, base.count + suffix.count > lengthLimit {
            base = String(base.prefix(max(1, lengthLimit - suffix.count)))
        }
        current = base + suffix
        return current
    }

    /// The server confirmed (001) or changed our nick.
    public mutating func confirm(_ nick: String) {
        current = nick
    }
}
