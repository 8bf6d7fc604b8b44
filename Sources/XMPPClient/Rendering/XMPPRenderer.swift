import TocsinCore

/// Turns protocol-neutral ``RichText`` into a message body using XEP-0393 Message Styling.
///
/// XEP-0393 styles plain text with `*strong*`, `_emphasis_` and `` `preformatted` `` and needs no
/// markup, so clients without styling support still show something readable. It has no escape
/// mechanism, so this renderer only writes a directive where it will work (XEP-0393 §6.2):
/// - an opening directive must start the line or follow whitespace, must not be followed by
///   whitespace, and the closing one must not be preceded by whitespace — whitespace at the edges
///   of a span is therefore moved outside the markers;
/// - the span must not contain its own directive character (it would end the span early);
/// otherwise the span is written as plain text.
///
/// Span text is untrusted (incident titles, notes): line breaks inside a span become spaces so a
/// title cannot forge an extra line, and a line that would start a block quote (`>`) or a
/// preformatted block (```` ``` ````) gets a leading space (XEP-0393 §6.1). XML escaping is not
/// done here: the body is put into an element whose serializer escapes it.
public struct XMPPRenderer: Sendable {
    public init() {}

    /// The message body: lines joined by `\n`.
    public func render(_ text: RichText) -> String {
        text.lines.map(renderLine).joined(separator: "\n")
    }

    /// One line of spans.
    public func renderLine(_ spans: [Span]) -> String {
        var line = ""
        for span in spans {
            let content = Self.singleLine(span.text)
            switch span {
            case .plain, .link:
                line += content
            case .bold:
                append(content, directive: "*", to: &line)
            case .italic:
                append(content, directive: "_", to: &line)
            case .code:
                append(content, directive: "`", to: &line)
            case .tone(let tone, _):
                switch tone {
                case .critical, .warning, .success: append(content, directive: "*", to: &line)
                case .muted: append(content, directive: "_", to: &line)
                case .info: line += content
                }
            }
        }
        return Self.neutralizeBlockDirectives(line)
    }

    /// Writes `content` between `directive`s where XEP-0393 would style it, plainly otherwise.
    private func append(_ content: String, directive: Character, to line: inout String) {
        let leading = content.prefix { $0.isWhitespace }
        let rest = content.dropFirst(leading.count)
        let trailingCount = rest.reversed().prefix { $0.isWhitespace }.count
        let core = rest.dropLast(trailingCount)
        let trailing = rest.suffix(trailingCount)
        line += leading
        let openingAllowed = line.last.map(\.isWhitespace) ?? true
        if openingAllowed, !core.isEmpty, !core.contains(directive) {
            line.append(directive)
            line += core
            line.append(directive)
        } else {
            line += core
        }
        line += trailing
    }

    /// Replaces line breaks (and other vertical separators) with spaces.
    static func singleLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        return String(text.map { $0.isNewline ? " " : $0 })
    }

    /// A line beginning with `>` would render as a quote and one beginning with ```` ``` ```` would
    /// swallow the following lines as preformatted text (XEP-0393 §6.1); a leading space defuses both.
    static func neutralizeBlockDirectives(_ line: String) -> String {
        if line.hasPrefix(">") || line.hasPrefix("```") { return " " + line }
        return line
    }
}
