import IRC
import Testing
import TocsinCore
@testable import IRCClient

@Suite("IRC renderer")
struct RendererTests {
    let renderer = IRCRenderer()

    @Test func tonesBecomeMIRCColours() {
        #expect(renderer.render(line: [.tone(.critical, "CRIT")]) == "\u{2}\u{3}04CRIT\u{3}\u{2}\u{2}\u{2}")
        #expect(renderer.render(line: [.tone(.warning, "warn")]) == "\u{3}07warn\u{3}\u{2}\u{2}")
        #expect(renderer.render(line: [.tone(.success, "ok")]) == "\u{3}03ok\u{3}\u{2}\u{2}")
        #expect(renderer.render(line: [.tone(.info, "i")]) == "\u{3}02i\u{3}\u{2}\u{2}")
        #expect(renderer.render(line: [.tone(.muted, "m")]) == "\u{3}14m\u{3}\u{2}\u{2}")
    }

    @Test func boldItalicCodeAndLinks() {
        let line = renderer.render(line: [.bold("#42"), .plain(" "), .italic("db"), .plain(" "), .code("df -h"), .plain(" "), .link("https://x.example/1")])
        #expect(line == "\u{2}#42\u{2} \u{1D}db\u{1D} df -h https://x.example/1")
    }

    @Test func untrustedTextCannotInjectLinesCTCPOrFormatting() {
        let text = RichText([.plain("x\r\nQUIT :bye"), .bold("\u{1}ACTION hi\u{1}"), .plain("\u{3}04red\u{0}\tend")])
        let lines = renderer.render(text, budget: 400)
        #expect(lines == ["x QUIT :bye\u{2}ACTION hi\u{2}red end"])
        for line in lines {
            #expect(!line.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\u{0}" || $0 == "\u{1}" })
        }
    }

    @Test func eachRichTextLineIsItsOwnMessageAndEmptyLinesAreDropped() {
        let text = RichText(lines: [[.plain("one")], [], [.plain("   ")], [.plain("two")]])
        #expect(renderer.render(text, budget: 400) == ["one", "two"])
    }

    @Test func longPlainTextIsSplitAtSpacesWithinTheBudget() {
        let text = RichText(plain: (1...100).map { "w\($0)" }.joined(separator: " "))
        let lines = renderer.render(text, budget: 60)
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.utf8.count <= 60 })
        #expect(lines.joined(separator: " ") == text.plainText)
    }

    @Test func spansWrapWholeWhenTheyFitOnAFreshLine() {
        let spans: [Span] = [.plain(String(repeating: "a", count: 40)), .plain(" "), .tone(.critical, String(repeating: "b", count: 30))]
        let lines = renderer.render(RichText(spans), budget: 60)
        #expect(lines == [String(repeating: "a", count: 40), IRCText.bold(IRCText.colored(String(repeating: "b", count: 30), fg: .red))])
    }

    @Test func splitPiecesOfAFormattedSpanKeepTheirFormatting() {
        let long = (1...40).map { "crit\($0)" }.joined(separator: " ")
        let lines = renderer.render(RichText([.tone(.critical, long)]), budget: 80)
        #expect(lines.count > 1)
        for line in lines {
            #expect(line.utf8.count <= 80)
            #expect(line.hasPrefix("\u{2}\u{3}04"))
            #expect(line.hasSuffix("\u{3}\u{2}\u{2}\u{2}"))
        }
        #expect(lines.map { IRCText.stripFormatting($0) }.joined(separator: " ") == long)
    }

    @Test func multibyteTextIsNeverCutInsideACharacter() {
        let text = RichText(plain: String(repeating: "é🔥", count: 100))
        let lines = renderer.render(text, budget: 50)
        #expect(lines.allSatisfy { $0.utf8.count <= 50 })
        #expect(lines.joined() == text.plainText)
    }
}
