/// Client-To-Client Protocol: `\u{1}COMMAND [argument]\u{1}` carried inside PRIVMSG/NOTICE text.
///
/// Follows the CTCP draft on modern.ircdocs.horse: the closing `\u{1}` is optional (some clients
/// omit it), the command ends at the first space. Requests arrive as PRIVMSG and are answered with
/// NOTICE (never PRIVMSG, so two bots cannot loop). ACTION (`/me`) is the one CTCP that is text.
public enum CTCP {
    /// The delimiter byte (SOH, `\x01`).
    public static let delimiter: Unicode.Scalar = "\u{1}"

    /// Splits a CTCP message into its upper-cased command and its argument, or returns `nil` when
    /// `text` is not CTCP (does not start with `\u{1}`, or has no command). An empty argument is
    /// reported as `nil`.
    public static func parse(_ text: String) -> (command: String, argument: String?)? {
        let scalars = text.unicodeScalars
        guard scalars.first == delimiter else { return nil }
        var body = scalars.dropFirst()
        if body.last == delimiter { body = body.dropLast() }
        let command: Substring.UnicodeScalarView
        var argument: String?
        if let space = body.firstIndex(of: " ") {
            command = body[..<space]
            let rest = String(body[body.index(after: space)...])
            argument = rest.isEmpty ? nil : rest
        } else {
            command = body
        }
        guard !command.isEmpty else { return nil }
        return (IRCMessage.uppercasedASCII(String(command)), argument)
    }

    /// Builds `\u{1}COMMAND argument\u{1}`.
    ///
    /// The argument goes through ``IRCText/sanitize(_:)`` — a `\u{1}` in it would end the CTCP
    /// early, CR/LF would end the line — and the command loses spaces and control characters.
    public static func encode(command: String, argument: String? = nil) -> String {
        var command = String(String.UnicodeScalarView(command.unicodeScalars.filter { $0.value > 0x20 && $0 != "\u{7F}" }))
        command = IRCMessage.uppercasedASCII(command)
        var text = "\u{1}" + command
        if let argument {
            text += " " + IRCText.sanitize(argument)
        }
        return text + "\u{1}"
    }

    /// `/me text`: the ACTION CTCP.
    public static func action(_ text: String) -> String {
        encode(command: "ACTION", argument: text)
    }

    /// The text of an ACTION (`""` for an empty one), or `nil` if `text` is not an ACTION.
    public static func actionText(_ text: String) -> String? {
        guard let parsed = parse(text), parsed.command == "ACTION" else { return nil }
        return parsed.argument ?? ""
    }
}
