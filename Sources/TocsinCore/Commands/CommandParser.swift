/// What a chat line turned out to be.
public enum ParsedInput: Sendable, Hashable {
    /// Ordinary conversation: stay silent.
    case notACommand
    case command(Command)
    /// Meant for us but wrong: reply with this one-line explanation (never silence).
    case invalid(String)
}

/// Turns chat text into a ``Command``. One grammar for every front-end.
///
/// A line is for the bot when it starts with the prefix (`!ack 12`), or addresses the bot by name
/// (`tocsin: ack 12`, `tocsin, !ack 12`), or — in a direct conversation — is just the command.
public struct CommandParser: Sendable {
    public var prefix: String
    /// `!ack 1 2 … ` takes at most this many incidents, so a typo cannot fire hundreds of API calls.
    public static let maximumIncidentsPerCommand = 20

    public init(prefix: String = "!") {
        self.prefix = prefix
    }

    /// - Parameters:
    ///   - botNames: names the bot answers to when addressed (its current nick first).
    ///   - isDirect: direct conversations accept commands without prefix.
    public func parse(_ rawText: String, botNames: [String], isDirect: Bool) -> ParsedInput {
        let text = rawText.trimmingWhitespace()
        guard let body = commandBody(text, botNames: botNames, isDirect: isDirect)?.trimmingWhitespace() else {
            return .notACommand
        }
        var words = body.split(whereSeparator: \.isWhitespace).map(String.init)
        guard !words.isEmpty else { return .invalid("Say a command — try \(prefix)help") }
        let word = words.removeFirst().lowercased()
        guard let name = CommandName(rawValue: word) else {
            return .invalid("Unknown command \(prefix)\(word.prefix(32)) — try \(prefix)help")
        }
        let rest = body.drop(while: { !$0.isWhitespace }).trimmingWhitespace()
        if let command = Self.command(name, words: words, rest: rest, prefix: prefix) {
            return .command(command)
        }
        return .invalid("Usage: \(prefix)\(name.usage)")
    }

    private func commandBody(_ text: Substring, botNames: [String], isDirect: Bool) -> Substring? {
        // `!!!`, `! nice` and `!1` are chat, not commands: a command word follows the prefix at once.
        if !prefix.isEmpty, text.hasPrefix(prefix) {
            let body = text.dropFirst(prefix.count)
            return body.first?.isLetter == true ? body : nil
        }
        for name in botNames where !name.isEmpty {
            guard text.count > name.count,
                  text.prefix(name.count).lowercased() == name.lowercased() else { continue }
            let after = text.dropFirst(name.count)
            guard let separator = after.first, separator == ":" || separator == "," else { continue }
            var body = after.dropFirst().trimmingWhitespace()
            if !prefix.isEmpty, body.hasPrefix(prefix) { body = body.dropFirst(prefix.count) }
            return body
        }
        if isDirect {
            let body = text
            guard let first = body.split(whereSeparator: \.isWhitespace).first,
                  CommandName(rawValue: first.lowercased()) != nil else { return nil }
            return body
        }
        return nil
    }

    private static func command(_ name: CommandName, words: [String], rest: Substring, prefix: String) -> Command? {
        switch name {
        case .ack, .resolve:
            // `!ack` alone: the triggered incidents assigned to the sender (issue 12).
            guard let numbers = incidentNumbers(words), !numbers.isEmpty || (name == .ack && words.isEmpty) else { return nil }
            return name == .ack ? .ack(numbers) : .resolve(numbers)
        case .note:
            guard let first = words.first, let number = incidentNumber(first) else { return nil }
            let content = rest.drop(while: { !$0.isWhitespace }).trimmingWhitespace()
            guard !content.isEmpty else { return nil }
            return .note(number, String(content))
        case .incidents, .whoami:
            if name == .incidents, words.count == 1, words[0].lowercased() == "mine" { return .incidentsMine }
            guard words.isEmpty else { return nil }
            return name == .incidents ? .incidents : .whoami
        case .subscribe, .unsubscribe:
            guard let request = SubscriptionRequest(words: words) else { return nil }
            return name == .subscribe ? .subscribe(request) : .unsubscribe(request)
        case .subscriptions:
            return words.isEmpty ? .subscriptions : nil
        case .incident:
            guard words.count == 1, let number = incidentNumber(words[0]) else { return nil }
            return .incident(number)
        case .trigger:
            guard words.count >= 2 else { return nil }
            let summary = rest.drop(while: { !$0.isWhitespace }).trimmingWhitespace()
            return .trigger(service: words[0], summary: String(summary))
        case .oncall:
            return words.isEmpty ? .oncall(nil) : .oncall(String(rest))
        case .reassign:
            guard words.count >= 2, let number = incidentNumber(words[0]) else { return nil }
            return .reassign(number, to: words.dropFirst().joined(separator: " "))
        case .escalate:
            guard let first = words.first, let number = incidentNumber(first), words.count <= 2 else { return nil }
            guard words.count == 2 else { return .escalate(number, level: nil) }
            guard let level = Int(words[1]), (1...20).contains(level) else { return nil }
            return .escalate(number, level: level)
        case .snooze:
            guard words.count == 2, let number = incidentNumber(words[0]),
                  let seconds = SnoozeDuration.seconds(from: words[1]) else { return nil }
            return .snooze(number, seconds: seconds)
        case .web:
            return words.isEmpty ? .web : nil
        case .postmortem:
            guard words.count == 1, let number = incidentNumber(words[0]) else { return nil }
            return .postmortem(number)
        case .leave:
            return words.isEmpty ? .leave : nil
        case .help:
            guard words.count <= 1 else { return nil }
            guard let word = words.first else { return .help(nil) }
            let bare = prefix.isEmpty ? Substring(word) : word.trimmingPrefix(prefix)
            guard let topic = CommandName(rawValue: String(bare.trimmingPrefix("!")).lowercased()) else { return nil }
            return .help(topic)
        }
    }

    /// `12`, `#12`, and lists `1 2 3` or `1,2,3`; duplicates removed, order kept.
    static func incidentNumbers(_ words: [String]) -> [Int]? {
        var numbers: [Int] = []
        for word in words {
            for piece in word.split(separator: ",") {
                guard let number = incidentNumber(String(piece)) else { return nil }
                if !numbers.contains(number) { numbers.append(number) }
                // Stop at once: a pasted wall of numbers must not cost quadratic time.
                guard numbers.count <= maximumIncidentsPerCommand else { return nil }
            }
        }
        return numbers
    }

    static func incidentNumber(_ word: String) -> Int? {
        let digits = word.hasPrefix("#") ? word.dropFirst() : Substring(word)
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let number = Int(digits), number > 0 else { return nil }
        return number
    }
}

extension StringProtocol {
    /// Leading and trailing whitespace removed (Foundation-free, so the core stays light).
    func trimmingWhitespace() -> Substring {
        let text = Substring(self)
        let start = text.firstIndex(where: { !$0.isWhitespace }) ?? text.endIndex
        let end = text.lastIndex(where: { !$0.isWhitespace }).map { text.index(after: $0) } ?? start
        return text[start..<end]
    }
}
