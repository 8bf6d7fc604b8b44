/// Which incidents a chat line is about: `#12` written anywhere in it, and the numbers a command
/// names (`!ack 12`, `!note 12 …`, `tocsin: resolve 3,4`), so a team's commands land in the timeline
/// of the incident they changed.
public struct IncidentMentions: Sendable {
    public var parser: CommandParser

    public init(parser: CommandParser) {
        self.parser = parser
    }

    /// The incident numbers `text` mentions, in order of first mention, without repeats.
    public func numbers(in text: String, botNames: [String] = []) -> [Int] {
        var found = Self.hashNumbers(in: text)
        if case .command(let command) = parser.parse(text, botNames: botNames, isDirect: false) {
            for number in command.incidentNumbers where !found.contains(number) { found.append(number) }
        }
        return found
    }

    /// `#12` preceded by the start or a non-word character and not followed by a word character:
    /// `#12,` and `(#12)` count, `#12a`, `a#12` and the channel `#ops` do not.
    public static func hashNumbers(in text: String) -> [Int] {
        var found: [Int] = []
        let characters = Array(text.unicodeScalars)
        var index = 0
        while index < characters.count {
            defer { index += 1 }
            guard characters[index] == "#" else { continue }
            if index > 0, isWordCharacter(characters[index - 1]) { continue }
            var end = index + 1
            while end < characters.count, end - index <= 10, ("0"..."9").contains(characters[end]) { end += 1 }
            let digits = end - index - 1
            guard (1...9).contains(digits) else { continue }
            if end < characters.count, isWordCharacter(characters[end]) { continue }
            let text = String(String.UnicodeScalarView(characters[(index + 1)..<end]))
            if let number = Int(text), number > 0, !found.contains(number) { found.append(number) }
            index = end - 1
        }
        return found
    }

    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_"
    }
}

extension Command {
    /// The incidents this command acts on or reads (empty for `!incidents`, `!help`…).
    public var incidentNumbers: [Int] {
        switch self {
        case .ack(let numbers), .resolve(let numbers): numbers
        case .note(let number, _), .incident(let number), .reassign(let number, _), .escalate(let number, _),
             .snooze(let number, _), .postmortem(let number): [number]
        default: []
        }
    }
}
