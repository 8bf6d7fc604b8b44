import IRC
import Testing

@Suite struct CTCPTests {
    @Test(arguments: [
        ("\u{1}VERSION\u{1}", "VERSION", nil),
        ("\u{1}PING 1700000000 123\u{1}", "PING", "1700000000 123"),
        ("\u{1}ACTION waves hello\u{1}", "ACTION", "waves hello"),
        ("\u{1}ACTION waves", "ACTION", "waves"),
        ("\u{1}time\u{1}", "TIME", nil),
        ("\u{1}PING \u{1}", "PING", nil),
        ("\u{1}ACTION  two spaces \u{1}", "ACTION", " two spaces "),
    ] as [(String, String, String?)])
    func ctcpMessagesAreSplitIntoCommandAndArgument(_ text: String, _ command: String, _ argument: String?) throws {
        let parsed = try #require(CTCP.parse(text))
        #expect(parsed.command == command)
        #expect(parsed.argument == argument)
    }

    @Test(arguments: ["hello", "", "\u{1}", "\u{1}\u{1}", "\u{1} x\u{1}", "x\u{1}VERSION\u{1}"])
    func nonCTCPTextIsNotParsed(_ text: String) {
        #expect(CTCP.parse(text) == nil)
    }

    @Test func encodeWrapsCommandAndArgument() {
        #expect(CTCP.encode(command: "VERSION", argument: "Tocsin 1.0") == "\u{1}VERSION Tocsin 1.0\u{1}")
        #expect(CTCP.encode(command: "version") == "\u{1}VERSION\u{1}")
    }

    @Test func encodeCannotBeBrokenOutOfByItsArgument() {
        let encoded = CTCP.encode(command: "PING", argument: "x\u{1}\r\nQUIT")
        #expect(encoded == "\u{1}PING x QUIT\u{1}")
        #expect(CTCP.encode(command: "A B\u{1}", argument: nil) == "\u{1}AB\u{1}")
    }

    @Test func actionRoundTrips() {
        let text = CTCP.action("acknowledges incident #42")
        #expect(text == "\u{1}ACTION acknowledges incident #42\u{1}")
        #expect(CTCP.actionText(text) == "acknowledges incident #42")
        #expect(CTCP.actionText("\u{1}ACTION\u{1}") == "")
        #expect(CTCP.actionText("\u{1}VERSION\u{1}") == nil)
        #expect(CTCP.actionText("plain") == nil)
    }

    @Test func ctcpInsidePrivmsgSurvivesTheWire() throws {
        let message = IRCMessage(command: "PRIVMSG", parameters: ["#ops", CTCP.action("waves")])
        let reparsed = try IRCMessage(parsing: message.serialized())
        #expect(CTCP.actionText(reparsed.parameters[1]) == "waves")
    }
}
