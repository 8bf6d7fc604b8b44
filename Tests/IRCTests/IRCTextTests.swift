import IRC
import Testing

@Suite struct IRCTextTests {
    @Test(arguments: [
        ("Disk full\r\nQUIT :bye", "Disk full QUIT :bye"),
        ("a\rb\nc", "a b c"),
        ("a\n\nb", "a  b"),
        ("nul\u{0}byte", "nulbyte"),
        ("\u{1}VERSION\u{1}", "VERSION"),
        ("bell\u{7} esc\u{1B}[31m", "bell esc[31m"),
        ("tab\there", "tab here"),
        ("\u{2}bold\u{2} \u{3}04red\u{3} \u{1D}i\u{1D} \u{1F}u\u{1F} \u{16}r\u{16} \u{1E}s\u{1E} \u{F}",
         "\u{2}bold\u{2} \u{3}04red\u{3} \u{1D}i\u{1D} \u{1F}u\u{1F} \u{16}r\u{16} \u{1E}s\u{1E} \u{F}"),
        ("ünïcödé 🚨 \u{2028}", "ünïcödé 🚨 \u{2028}"),
    ])
    func sanitizeNeutralisesLineBreaksAndControls(_ input: String, _ expected: String) {
        #expect(IRCText.sanitize(input) == expected)
    }

    @Test func sanitizedTextHasNoByteThatEndsALine() {
        let nasty = (0..<32).map { String(Unicode.Scalar(UInt8($0))) }.joined() + "x\r\n"
        let clean = IRCText.sanitize(nasty)
        #expect(!clean.utf8.contains { $0 == 0 || $0 == 0x0A || $0 == 0x0D || $0 == 0x01 })
    }

    @Test(arguments: [
        ("\u{2}bold\u{2}", "bold"),
        ("\u{3}04red\u{3} plain", "red plain"),
        ("\u{3}4,12x", "x"),
        ("\u{3}04,1x", "x"),
        ("\u{3}04,x", ",x"),
        ("\u{3}123", "3"),
        ("\u{3}04,123", "3"),
        ("\u{3},5x", ",5x"),
        ("\u{3}", ""),
        ("a\u{F}b\u{16}c\u{1D}d\u{1F}e\u{1E}f\u{11}g", "abcdefg"),
        ("\u{4}FF0000red\u{4}", "red"),
        ("\u{4}FF0000,00FF00x", "x"),
        ("\u{4}FF0000,zz", ",zz"),
        ("\u{4}FFx", "FFx"),
        ("no codes here", "no codes here"),
    ])
    func stripFormattingRemovesCodesAndTheirArguments(_ input: String, _ expected: String) {
        #expect(IRCText.stripFormatting(input) == expected)
    }

    @Test func boldAndItalicWrapText() {
        #expect(IRCText.bold("x") == "\u{2}x\u{2}")
        #expect(IRCText.italic("x") == "\u{1D}x\u{1D}")
        #expect(IRCText.underline("x") == "\u{1F}x\u{1F}")
    }

    @Test func colorsUseTwoDigitCodesAndResetSafely() {
        #expect(IRCText.colored("CRITICAL", fg: .red) == "\u{3}04CRITICAL\u{3}\u{2}\u{2}")
        #expect(IRCText.colored("7 hosts", fg: .white, bg: .lightGrey) == "\u{3}00,157 hosts\u{3}\u{2}\u{2}")
        #expect(IRCText.colored(",5 apples", fg: .green) == "\u{3}03\u{2}\u{2},5 apples\u{3}\u{2}\u{2}")
    }

    @Test func colourFollowedByDigitsDoesNotSwallowThem() {
        let text = IRCText.colored("down", fg: .red) + "5 minutes"
        #expect(IRCText.stripFormatting(text) == "down5 minutes")
    }

    @Test(arguments: ["42 down", ",1", "plain", ""])
    func strippingABuiltStringGivesTheText(_ text: String) {
        for color in IRCColor.allCases {
            #expect(IRCText.stripFormatting(IRCText.colored(text, fg: color)) == text)
            #expect(IRCText.stripFormatting(IRCText.colored(text, fg: color, bg: .black)) == text)
        }
        #expect(IRCText.stripFormatting(IRCText.bold(IRCText.italic(text))) == text)
    }

    @Test func colorNumbersFollowMIRC() {
        #expect(IRCColor.white.rawValue == 0)
        #expect(IRCColor.red.rawValue == 4)
        #expect(IRCColor.lightGrey.rawValue == 15)
        #expect(IRCColor.allCases.count == 16)
        #expect(IRCColor.blue.code == "02")
        #expect(IRCColor.grey.code == "14")
    }
}
