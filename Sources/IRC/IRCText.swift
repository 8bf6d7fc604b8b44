/// Making text from outside safe for IRC, and mIRC formatting (modern.ircdocs.horse "Formatting").
///
/// Everything the bot relays — incident titles, notes, user names from webhooks — goes through
/// ``sanitize(_:)`` before it becomes part of a message. ``IRCMessage/serialized()`` also removes
/// CR/LF/NUL as a last line of defence, but doing it here keeps CTCP and colour codes that
/// outsiders smuggle in from reaching the channel.
public enum IRCText {
    /// Formatting control codes kept by ``sanitize(_:)``: bold, colour, hex colour, monospace,
    /// reset, reverse, italic, strikethrough, underline.
    static let formattingCodes: Set<Unicode.Scalar> = [
        "\u{2}", "\u{3}", "\u{4}", "\u{11}", "\u{F}", "\u{16}", "\u{1D}", "\u{1E}", "\u{1F}",
    ]

    /// Makes external text safe to put in a message:
    /// - CR, LF and CRLF become one space each, tab becomes a space (so words stay apart);
    /// - NUL, `\u{1}` (CTCP — an outsider must not make the bot send a CTCP) and all other C0
    ///   control characters are dropped;
    /// - formatting codes (``formattingCodes``) and everything else are kept. Use
    ///   ``stripFormatting(_:)`` as well when outside text must not colour the channel.
    public static func sanitize(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\r", "\t":
                out.append(" ")
            case "\n":
                if !previousWasCR { out.append(" ") }
            case _ where scalar.value < 0x20 && !formattingCodes.contains(scalar):
                continue
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Removes mIRC formatting: the toggles (`\x02` `\x1D` `\x1F` `\x1E` `\x11` `\x16` `\x0F`),
    /// colour codes with their arguments (`\x03`, `\x03N`, `\x03NN`, `\x03NN,M`, `\x03NN,MM`)
    /// and hex colours (`\x04RRGGBB[,RRGGBB]`). A comma is only part of the code when a digit
    /// follows it, so `\x034,` keeps its comma.
    public static func stripFormatting(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0

        func digits(max count: Int, where accept: (Unicode.Scalar) -> Bool) -> Int {
            var taken = 0
            while taken < count, index + taken < scalars.count, accept(scalars[index + taken]) { taken += 1 }
            return taken
        }
        let isDigit: (Unicode.Scalar) -> Bool = { $0 >= "0" && $0 <= "9" }
        let isHex: (Unicode.Scalar) -> Bool = { isDigit($0) || ($0 >= "a" && $0 <= "f") || ($0 >= "A" && $0 <= "F") }

        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "\u{2}", "\u{1D}", "\u{1F}", "\u{1E}", "\u{11}", "\u{16}", "\u{F}":
                continue
            case "\u{3}":
                let foreground = digits(max: 2, where: isDigit)
                index += foreground
                if foreground > 0, index + 1 < scalars.count, scalars[index] == ",", isDigit(scalars[index + 1]) {
                    index += 1
                    index += digits(max: 2, where: isDigit)
                }
            case "\u{4}":
                guard digits(max: 6, where: isHex) == 6 else { continue }
                index += 6
                if index < scalars.count, scalars[index] == "," {
                    index += 1
                    if digits(max: 6, where: isHex) == 6 {
                        index += 6
                    } else {
                        index -= 1
                    }
                }
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// `text` in bold (`\x02…\x02`).
    public static func bold(_ text: String) -> String { "\u{2}" + text + "\u{2}" }

    /// `text` in italics (`\x1D…\x1D`).
    public static func italic(_ text: String) -> String { "\u{1D}" + text + "\u{1D}" }

    /// `text` underlined (`\x1F…\x1F`).
    public static func underline(_ text: String) -> String { "\u{1F}" + text + "\u{1F}" }

    /// `text` in colour: `\x03FG[,BG]text\x03` with two-digit codes.
    ///
    /// Two traps are closed: text starting with `,digit` would be read as a background when no
    /// background is given, and whatever follows the closing `\x03` would be read as a new colour
    /// if it starts with a digit. Both are separated with an empty bold toggle (`\x02\x02`),
    /// which clients render as nothing. The closing `\x03` resets only the colour, so colour can
    /// sit inside ``bold(_:)`` without cancelling it (unlike `\x0F`).
    public static func colored(_ text: String, fg: IRCColor, bg: IRCColor? = nil) -> String {
        var result = "\u{3}" + fg.code
        if let bg {
            result += "," + bg.code
        } else if text.unicodeScalars.first == "," {
            result += "\u{2}\u{2}"
        }
        return result + text + "\u{3}\u{2}\u{2}"
    }
}
