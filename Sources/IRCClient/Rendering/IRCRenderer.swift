import IRC
import TocsinCore

/// Turns the core's ``TocsinCore/RichText`` into IRC message texts with mIRC formatting
/// (modern.ircdocs.horse "Formatting"), each within a byte budget.
///
/// - Tones: critical red and bold, warning orange, success green, info blue, muted grey; bold
///   and italic as `\x02`/`\x1D`; code and links plain (IRC has no portable monospace or links).
/// - Span text is untrusted (incident titles, notes, names): CR/LF/TAB become spaces, NUL, CTCP's
///   `\x01` and other control characters are dropped (``IRC/IRCText/sanitize(_:)``), and
///   formatting codes smuggled in are removed so they cannot colour the rest of the line. A title
///   like `x\r\nQUIT` therefore stays one line of text.
/// - Each RichText line becomes one or more messages of at most `budget` bytes. Cuts fall between
///   spans when the next span fits on a fresh line, otherwise inside the span at a space or a
///   character boundary (``IRC/IRCLineSplitter``), and every piece carries its own formatting,
///   since clients reset formatting at the end of each message.
public struct IRCRenderer: Sendable {
    /// The smallest budget honoured; real budgets are hundreds of bytes.
    public static let minimumBudget = 32

    public init() {}

    /// Renders and splits: the texts of the PRIVMSG/NOTICE lines to send, in order.
    public func render(_ text: RichText, budget: Int) -> [String] {
        let budget = max(budget, Self.minimumBudget)
        return text.lines.flatMap { split($0, budget: budget) }
    }

    /// One RichText line rendered without any length limit (for tests and logs).
    public func render(line spans: [Span]) -> String {
        spans.map { span in Style(span).apply(Self.clean(span.text)) }.joined()
    }

    /// Untrusted text made safe: no line breaks, NUL, CTCP or formatting codes.
    public static func clean(_ text: String) -> String {
        IRCText.stripFormatting(IRCText.sanitize(text))
    }

    // MARK: Styles

    struct Style {
        enum Kind { case plain, bold, italic, tone(Tone) }
        let kind: Kind

        init(_ span: Span) {
            switch span {
            case .plain, .code, .link: kind = .plain
            case .bold: kind = .bold
            case .italic: kind = .italic
            case .tone(let tone, _): kind = .tone(tone)
            }
        }

        func apply(_ text: String) -> String {
            guard !text.isEmpty else { return "" }
            switch kind {
            case .plain: return text
            case .bold: return IRCText.bold(text)
            case .italic: return IRCText.italic(text)
            case .tone(.critical): return IRCText.bold(IRCText.colored(text, fg: .red))
            case .tone(.warning): return IRCText.colored(text, fg: .orange)
            case .tone(.success): return IRCText.colored(text, fg: .green)
            case .tone(.info): return IRCText.colored(text, fg: .blue)
            case .tone(.muted): return IRCText.colored(text, fg: .grey)
            }
        }

        /// Bytes the formatting adds around any text (an upper bound: `colored` adds two more
        /// when the text starts with a comma).
        var overhead: Int {
            apply(",").utf8.count - 1
        }
    }

    // MARK: Splitting

    private func split(_ spans: [Span], budget: Int) -> [String] {
        var messages: [String] = []
        var current = ""

        func flush() {
            let trimmed = Self.trimmingTrailingSpaces(current)
            if !trimmed.isEmpty && trimmed.contains(where: { $0 != " " }) { messages.append(trimmed) }
            current = ""
        }

        for span in spans {
            let style = Style(span)
            var text = Self.clean(span.text)
            let overhead = style.overhead
            while !text.isEmpty {
                if current.isEmpty { text = Self.trimmingLeadingSpaces(text) }
                if text.isEmpty { break }
                let room = budget - current.utf8.count - overhead
                if text.utf8.count <= room {
                    current += style.apply(text)
                    break
                }
                // It does not fit. Start a fresh message if that keeps the span whole, or if too
                // little room is left to be worth using.
                if !current.isEmpty && (text.utf8.count <= budget - overhead || room < 16) {
                    flush()
                    continue
                }
                let pieceBudget = max(1, room)
                guard let first = IRCLineSplitter.split(text, budget: pieceBudget).first, !first.isEmpty else {
                    flush()
                    break
                }
                current += style.apply(first)
                flush()
                text = String(text.unicodeScalars.dropFirst(first.unicodeScalars.count))
            }
        }
        flush()
        return messages
    }

    private static func trimmingLeadingSpaces(_ text: String) -> String {
        String(text.drop { $0 == " " })
    }

    private static func trimmingTrailingSpaces(_ text: String) -> String {
        var text = text
        while text.last == " " { text.removeLast() }
        return text
    }
}
