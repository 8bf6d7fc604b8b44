// libFuzzer entry point for the chat command parser (see integration-tests/fuzz.sh commands).
//
// Compiled by swiftc together with Sources/TocsinCore/Commands/{CommandParser,Command,CommandName,
// SnoozeDuration}.swift and what `!subscribe` parses into (Routing/SubscriptionRequest, RouteRule,
// Chat/, Incidents/) into one module; `import TocsinCore` only applies when built as a target.
#if canImport(TocsinCore)
import TocsinCore
#endif

/// Any text a chat user can type goes through the parser with several prefixes and bot names, in a
/// room and in a direct message. Checks the parser's promises:
/// - it never crashes, and a line that does not start with the prefix or address the bot is never
///   a command in a room (other people's conversation stays theirs);
/// - an invalid line always gets a non-empty, single-line explanation (never silence, never a
///   multi-line reply that could flood);
/// - parsed incident numbers are positive, unique and at most the per-command maximum; note and
///   trigger texts are non-empty; snooze durations are within bounds.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for prefix in ["!", ".", "!!"] {
        let parser = CommandParser(prefix: prefix)
        for isDirect in [false, true] {
            check(parser.parse(text, botNames: ["tocsin", "tocsin_"], isDirect: isDirect), text: text, prefix: prefix, isDirect: isDirect)
        }
    }
    return 0
}

private func check(_ result: ParsedInput, text: String, prefix: String, isDirect: Bool) {
    switch result {
    case .notACommand:
        break
    case .invalid(let explanation):
        precondition(!explanation.isEmpty, "invalid input must be explained")
        precondition(!explanation.contains(where: \.isNewline), "explanations are one line")
        precondition(explanation.utf8.count <= 300, "explanations stay short: \(explanation.utf8.count) bytes")
    case .command(let command):
        if !isDirect {
            let trimmed = text.drop(while: \.isWhitespace)
            precondition(trimmed.hasPrefix(prefix) || trimmed.lowercased().hasPrefix("tocsin"),
                         "a room line must start with the prefix or address the bot")
        }
        validate(command)
    }
}

private func validate(_ command: Command) {
    switch command {
    case .ack(let numbers):
        // `!ack` alone (no numbers) acknowledges what is assigned to the sender.
        precondition(numbers.count <= CommandParser.maximumIncidentsPerCommand)
        precondition(Set(numbers).count == numbers.count && numbers.allSatisfy { $0 > 0 })
    case .resolve(let numbers):
        precondition(!numbers.isEmpty && numbers.count <= CommandParser.maximumIncidentsPerCommand)
        precondition(Set(numbers).count == numbers.count && numbers.allSatisfy { $0 > 0 })
    case .note(let number, let content):
        precondition(number > 0 && !content.isEmpty)
    case .incident(let number), .reassign(let number, _), .escalate(let number, _), .postmortem(let number):
        precondition(number > 0)
    case .snooze(let number, let seconds):
        precondition(number > 0 && seconds > 0 && seconds <= SnoozeDuration.maximumSeconds)
    case .trigger(let service, let summary):
        precondition(!service.isEmpty && !summary.isEmpty)
    case .subscribe(let request), .unsubscribe(let request):
        // A subscription names what it wants: an urgency, if any, is one of the known levels.
        _ = request.rule(for: ChatDestination(network: "fuzz", conversation: .room("#fuzz")), source: .chat(addedBy: nil))
    case .incidents, .incidentsMine, .oncall, .whoami, .help, .leave, .web, .subscriptions:
        break
    }
}
