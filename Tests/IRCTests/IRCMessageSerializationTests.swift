import IRC
import Testing

/// One vector of ircdocs/parser-tests `msg-join.yaml` (CC0): atoms and acceptable outputs.
struct JoinVector: Sendable, CustomTestStringConvertible {
    var description: String
    var tags: [IRCTag] = []
    var source: String?
    var verb: String
    var params: [String] = []
    var matches: [String]
    var testDescription: String { description }
}

let msgJoinVectors: [JoinVector] = [
    .init(description: "Simple test with verb and params.", verb: "foo", params: ["bar", "baz", "asdf"],
          matches: ["FOO bar baz asdf", "FOO bar baz :asdf"]),
    .init(description: "Simple test with source and no params.", source: "src", verb: "AWAY", matches: [":src AWAY"]),
    .init(description: "Simple test with source and empty trailing param.", source: "src", verb: "AWAY", params: [""],
          matches: [":src AWAY :"]),
    .init(description: "Simple test with source.", source: "coolguy", verb: "foo", params: ["bar", "baz", "asdf"],
          matches: [":coolguy FOO bar baz asdf", ":coolguy FOO bar baz :asdf"]),
    .init(description: "Simple test with trailing param.", verb: "foo", params: ["bar", "baz", "asdf quux"],
          matches: ["FOO bar baz :asdf quux"]),
    .init(description: "Simple test with empty trailing param.", verb: "foo", params: ["bar", "baz", ""],
          matches: ["FOO bar baz :"]),
    .init(description: "Simple test with trailing param containing colon.", verb: "foo", params: ["bar", "baz", ":asdf"],
          matches: ["FOO bar baz ::asdf"]),
    .init(description: "Test with source and trailing param.", source: "coolguy", verb: "foo",
          params: ["bar", "baz", "asdf quux"], matches: [":coolguy FOO bar baz :asdf quux"]),
    .init(description: "Test with trailing containing beginning+end whitespace.", source: "coolguy", verb: "foo",
          params: ["bar", "baz", "  asdf quux "], matches: [":coolguy FOO bar baz :  asdf quux "]),
    .init(description: "Test with trailing containing what looks like another trailing param.", source: "coolguy",
          verb: "PRIVMSG", params: ["bar", "lol :) "], matches: [":coolguy PRIVMSG bar :lol :) "]),
    .init(description: "Simple test with source and empty trailing.", source: "coolguy", verb: "foo",
          params: ["bar", "baz", ""], matches: [":coolguy FOO bar baz :"]),
    .init(description: "Trailing contains only spaces.", source: "coolguy", verb: "foo", params: ["bar", "baz", "  "],
          matches: [":coolguy FOO bar baz :  "]),
    .init(description: "Param containing tab (tab is not considered SPACE for message splitting).", source: "coolguy",
          verb: "foo", params: ["b\tar", "baz"], matches: [":coolguy FOO b\tar baz", ":coolguy FOO b\tar :baz"]),
    .init(description: "Tag with no value and space-filled trailing.", tags: [IRCTag(key: "asd")], source: "coolguy",
          verb: "foo", params: ["bar", "baz", "  "], matches: ["@asd :coolguy FOO bar baz :  "]),
    .init(description: "Tags with escaped values.",
          tags: [IRCTag(key: "a", value: "b\\and\nk"), IRCTag(key: "d", value: "gh;764")], verb: "foo",
          matches: [#"@a=b\\and\nk;d=gh\:764 FOO"#, #"@d=gh\:764;a=b\\and\nk FOO"#]),
    .init(description: "Tags with escaped values and params.",
          tags: [IRCTag(key: "a", value: "b\\and\nk"), IRCTag(key: "d", value: "gh;764")], verb: "foo",
          params: ["par1", "par2"],
          matches: [#"@a=b\\and\nk;d=gh\:764 FOO par1 par2"#, #"@a=b\\and\nk;d=gh\:764 FOO par1 :par2"#]),
    .init(description: "Tag with long, strange values (including LF and newline).",
          tags: [IRCTag(key: "foo", value: "\\\\;\\s \r\n")], verb: "COMMAND",
          matches: [#"@foo=\\\\\:\\s\s\r\n COMMAND"#]),
]

@Suite struct IRCMessageSerializationTests {
    @Test(arguments: msgJoinVectors)
    func joinsAtomsLikeTheIrcdocsVectors(_ vector: JoinVector) {
        let message = IRCMessage(command: vector.verb, parameters: vector.params, tags: vector.tags,
                                 source: vector.source.map(IRCSource.init(raw:)))
        #expect(vector.matches.contains(message.wireLine), "got \(message.wireLine.debugDescription)")
    }

    @Test func serializedHasNoLineTerminator() {
        let bytes = IRCMessage(command: "PING", parameters: ["x"]).serialized()
        #expect(bytes == Array("PING x".utf8))
    }

    @Test func carriageReturnLineFeedInTextCannotInjectACommand() throws {
        let message = IRCMessage(command: "PRIVMSG", parameters: ["#ops", "Incident: x\r\nQUIT :pwned"])
        #expect(message.wireLine == "PRIVMSG #ops :Incident: x QUIT :pwned")
        let reparsed = try IRCMessage(parsing: message.serialized())
        #expect(reparsed.command == "PRIVMSG")
        #expect(reparsed.parameters == ["#ops", "Incident: x QUIT :pwned"])
    }

    @Test(arguments: ["x\rQUIT", "x\nQUIT", "x\r\nQUIT", "x\u{0}\r\n\u{0}QUIT", "\n\n\n", "\r"])
    func lineBreaksAndNulNeverReachTheWire(_ evil: String) {
        let message = IRCMessage(
            command: "PRIVMSG\r\nQUIT",
            parameters: [evil, evil, evil],
            tags: [IRCTag(key: "k\r\n" + evil, value: evil)],
            source: IRCSource(raw: "nick\r\n" + evil))
        let bytes = message.serialized()
        #expect(!bytes.contains(0x0D))
        #expect(!bytes.contains(0x0A))
        #expect(!bytes.contains(0x00))
    }

    @Test func commandKeepsOnlyLettersAndDigits() {
        #expect(IRCMessage(command: "PRIVMSG\r\nQUIT", parameters: ["#a", "x"]).wireLine == "PRIVMSGQUIT #a x")
    }

    @Test func middleParameterWithSpaceGetsNoBreakSpaces() throws {
        let message = IRCMessage(command: "KICK", parameters: ["#ops evil", "bob", "reason here"])
        #expect(message.wireLine == "KICK #ops\u{A0}evil bob :reason here")
        #expect(try IRCMessage(parsing: message.serialized()).parameters.count == 3)
    }

    @Test func middleParameterStartingWithColonGetsAFullwidthColon() {
        let message = IRCMessage(command: "PRIVMSG", parameters: [":#ops", "hi"])
        #expect(message.wireLine == "PRIVMSG \u{FF1A}#ops hi")
    }

    @Test func emptyMiddleParameterBecomesAPlaceholder() {
        #expect(IRCMessage(command: "USER", parameters: ["bot", "0", "", "Real Name"]).wireLine
            == "USER bot 0 * :Real Name")
    }

    @Test func lastParameterGetsAColonOnlyWhenNeeded() {
        #expect(IRCMessage(command: "JOIN", parameters: ["#a"]).wireLine == "JOIN #a")
        #expect(IRCMessage(command: "PRIVMSG", parameters: ["#a", "hi there"]).wireLine == "PRIVMSG #a :hi there")
        #expect(IRCMessage(command: "PRIVMSG", parameters: ["#a", ":)"]).wireLine == "PRIVMSG #a ::)")
        #expect(IRCMessage(command: "AWAY", parameters: [""]).wireLine == "AWAY :")
    }

    @Test func moreThanFifteenParametersAreJoinedIntoTheLast() throws {
        let params = (1...17).map(String.init)
        let message = IRCMessage(command: "CMD", parameters: params)
        let reparsed = try IRCMessage(parsing: message.serialized())
        #expect(reparsed.parameters.count == 15)
        #expect(reparsed.parameters.last == "15 16 17")
    }

    @Test func tagValuesAreEscapedAndNulDropped() {
        let message = IRCMessage(command: "TAGMSG", parameters: ["#a"],
                                 tags: [IRCTag(key: "+draft/reply", value: "a b;c\\d\u{0}e")])
        #expect(message.wireLine == #"@+draft/reply=a\sb\:c\\de TAGMSG #a"#)
    }

    @Test func tagKeysLoseDelimitersAndEmptyKeysAreDropped() {
        let message = IRCMessage(command: "CMD", tags: [IRCTag(key: "a b=c;d", value: "1"), IRCTag(key: " ;=")])
        #expect(message.wireLine == "@abcd=1 CMD")
    }

    @Test func sourceLosesSpaces() {
        let message = IRCMessage(command: "CMD", source: IRCSource(raw: "evil nick"))
        #expect(message.wireLine == ":evilnick CMD")
    }

    @Test func constructedCommandIsUppercased() {
        #expect(IRCMessage(command: "privmsg").command == "PRIVMSG")
    }

    @Test func ctcpAndFormattingCodesPassThroughUnchanged() {
        let text = "\u{1}ACTION \u{2}waves\u{2}\u{1}"
        #expect(IRCMessage(command: "PRIVMSG", parameters: ["#a", text]).wireLine == "PRIVMSG #a :" + text)
    }

    @Test func nonASCIITextIsSentAsUTF8() {
        let bytes = IRCMessage(command: "PRIVMSG", parameters: ["#a", "é🚨"]).serialized()
        #expect(bytes == Array("PRIVMSG #a é🚨".utf8))
    }
}
