import Testing
import TocsinCore
@testable import XMPPClient

/// XEP-0393 rendering: readable in plain clients, never broken styling, no forged lines.
@Suite struct RendererTests {
    let renderer = XMPPRenderer()

    @Test func stylesBoldItalicCodeAndTones() {
        let text = RichText(lines: [
            [.tone(.critical, "[TRIGGERED]"), .plain(" "), .bold("#42"), .plain(" Database down"), .tone(.muted, " — by alice")],
            [.plain("api · "), .tone(.critical, "high"), .plain(" · "), .code("db-1"), .plain(" · "), .italic("note"), .plain(" · "), .link("https://example.org/i/42")],
        ])
        #expect(renderer.render(text) == """
            *[TRIGGERED]* *#42* Database down _— by alice_
            api · *high* · `db-1` · _note_ · https://example.org/i/42
            """)
    }

    @Test func infoToneIsPlainAndSuccessIsBold() {
        #expect(renderer.renderLine([.tone(.info, "[NOTE]"), .plain(" "), .tone(.success, "[RESOLVED]")]) == "[NOTE] *[RESOLVED]*")
    }

    @Test func spanContainingItsDirectiveIsLeftPlain() {
        #expect(renderer.renderLine([.bold("a*b")]) == "a*b")
        #expect(renderer.renderLine([.code("x`y")]) == "x`y")
        #expect(renderer.renderLine([.italic("snake_case")]) == "snake_case")
    }

    @Test func directiveIsOnlyOpenedAfterWhitespaceOrLineStart() {
        // `foo*bar*` would not style (XEP-0393 §6.2), so no stray asterisks are written.
        #expect(renderer.renderLine([.plain("foo"), .bold("bar")]) == "foobar")
        #expect(renderer.renderLine([.plain("foo "), .bold("bar")]) == "foo *bar*")
    }

    @Test func whitespaceAtSpanEdgesMovesOutsideTheMarkers() {
        #expect(renderer.renderLine([.plain("a"), .bold(" b ")]) == "a *b* ")
        #expect(renderer.renderLine([.bold("   ")]) == "   ")
        #expect(renderer.renderLine([.bold("")]) == "")
    }

    @Test func untrustedTextCannotForgeLinesOrBlocks() {
        let forged = RichText(lines: [[.plain("title\n*[RESOLVED]* #1")], [.plain("> quoted")], [.plain("```")]])
        let rendered = renderer.render(forged)
        #expect(rendered == "title *[RESOLVED]* #1\n > quoted\n ```")
        #expect(rendered.split(separator: "\n").count == 3)
        #expect(renderer.renderLine([.bold("a\r\nb")]) == "*a b*")
    }

    @Test func xmlSpecialCharactersAreLeftToTheElementBuilder() {
        // The renderer produces text; escaping happens when the body element is serialized.
        #expect(renderer.renderLine([.plain("<b>&'\"")]) == "<b>&'\"")
    }
}
