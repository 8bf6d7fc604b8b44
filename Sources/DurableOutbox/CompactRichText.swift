import TocsinCore

/// The `text` column's own form of ``RichText``: no JSON coder per row (issue 11, item 2).
///
/// `\u{1}` marks the format (rows written before start with `{` and are read as JSON), then per
/// span a kind letter (`p` plain, `b` bold, `i` italic, `c` code, `l` link, or `t` and a tone
/// letter), the span's length in UTF-8 bytes, `:` and the bytes; `\n` between lines. Lengths, not
/// delimiters, so span text may hold any byte (IRC control codes included).
enum CompactRichText {
    static let marker: UInt8 = 1

    static func encode(_ text: RichText) -> String {
        var bytes: [UInt8] = [marker]
        for (index, line) in text.lines.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: "\n")) }
            for span in line {
                switch span {
                case .plain: bytes.append(UInt8(ascii: "p"))
                case .bold: bytes.append(UInt8(ascii: "b"))
                case .italic: bytes.append(UInt8(ascii: "i"))
                case .code: bytes.append(UInt8(ascii: "c"))
                case .link: bytes.append(UInt8(ascii: "l"))
                case .tone(let tone, _):
                    bytes.append(UInt8(ascii: "t"))
                    bytes.append(toneLetter(tone))
                }
                let utf8 = span.text.utf8
                bytes.append(contentsOf: String(utf8.count).utf8)
                bytes.append(UInt8(ascii: ":"))
                bytes.append(contentsOf: utf8)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Nil when `stored` is not in this form (or is damaged).
    static func decode(_ stored: String) -> RichText? {
        var utf8 = Array(stored.utf8)
        guard utf8.first == marker else { return nil }
        var lines: [[Span]] = [[]]
        var index = 1
        return utf8.withUnsafeMutableBufferPointer { bytes -> RichText? in
            while index < bytes.count {
                let kind = bytes[index]
                index += 1
                if kind == UInt8(ascii: "\n") { lines.append([]); continue }
                var tone: Tone?
                if kind == UInt8(ascii: "t") {
                    guard index < bytes.count, let decoded = toneFromLetter(bytes[index]) else { return nil }
                    tone = decoded
                    index += 1
                }
                var length = 0
                while index < bytes.count, bytes[index] != UInt8(ascii: ":") {
                    let digit = Int(bytes[index]) - 48
                    guard (0...9).contains(digit), length < 100_000_000 else { return nil }
                    length = length * 10 + digit
                    index += 1
                }
                guard index < bytes.count, index + 1 + length <= bytes.count else { return nil }
                let text = String(decoding: UnsafeMutableBufferPointer(rebasing: bytes[(index + 1)..<(index + 1 + length)]), as: UTF8.self)
                index += 1 + length
                let span: Span
                switch kind {
                case UInt8(ascii: "p"): span = .plain(text)
                case UInt8(ascii: "b"): span = .bold(text)
                case UInt8(ascii: "i"): span = .italic(text)
                case UInt8(ascii: "c"): span = .code(text)
                case UInt8(ascii: "l"): span = .link(text)
                case UInt8(ascii: "t"): span = .tone(tone ?? .info, text)
                default: return nil
                }
                lines[lines.count - 1].append(span)
            }
            return RichText(lines: lines)
        }
    }

    private static func toneLetter(_ tone: Tone) -> UInt8 {
        switch tone {
        case .critical: UInt8(ascii: "C")
        case .warning: UInt8(ascii: "W")
        case .success: UInt8(ascii: "S")
        case .info: UInt8(ascii: "I")
        case .muted: UInt8(ascii: "M")
        }
    }

    private static func toneFromLetter(_ letter: UInt8) -> Tone? {
        switch letter {
        case UInt8(ascii: "C"): .critical
        case UInt8(ascii: "W"): .warning
        case UInt8(ascii: "S"): .success
        case UInt8(ascii: "I"): .info
        case UInt8(ascii: "M"): .muted
        default: nil
        }
    }
}
