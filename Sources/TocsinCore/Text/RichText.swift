/// Colour-free meaning of a highlighted span; each front-end picks its rendering
/// (IRC colour codes, XEP-0393 styling).
public enum Tone: String, Sendable, Hashable, Codable {
    case critical
    case warning
    case success
    case info
    case muted
}

/// A piece of text with its style.
public enum Span: Sendable, Hashable, Codable {
    case plain(String)
    case bold(String)
    case italic(String)
    case code(String)
    case tone(Tone, String)
    case link(String)

    public var text: String {
        switch self {
        case .plain(let s), .bold(let s), .italic(let s), .code(let s), .tone(_, let s), .link(let s): s
        }
    }
}

/// Protocol-neutral formatted text: a few lines of styled spans. Announcements and replies are
/// built once in the core and rendered per protocol at the edge.
///
/// Span text is untrusted (incident titles, notes, user names): renderers must sanitize it.
public struct RichText: Sendable, Hashable, Codable {
    public var lines: [[Span]]

    public init(lines: [[Span]]) {
        self.lines = lines
    }

    public init(_ spans: [Span]) {
        self.lines = [spans]
    }

    public init(plain text: String) {
        self.lines = [[.plain(text)]]
    }

    /// Text without styling, one line per `\n`. For logs, tests and plain clients.
    public var plainText: String {
        lines.map { $0.map(\.text).joined() }.joined(separator: "\n")
    }
}
