import IRC
import Testing

/// One vector of ircdocs/parser-tests `msg-split.yaml` (CC0). Tags without a value are "".
struct SplitVector: Sendable, CustomTestStringConvertible {
    var input: String
    var tags: [String: String] = [:]
    var source: String?
    var verb: String
    var params: [String] = []
    var testDescription: String { input.debugDescription }
}

let msgSplitVectors: [SplitVector] = [
    .init(input: "foo bar baz asdf", verb: "foo", params: ["bar", "baz", "asdf"]),
    .init(input: ":coolguy foo bar baz asdf", source: "coolguy", verb: "foo", params: ["bar", "baz", "asdf"]),
    .init(input: "foo bar baz :asdf quux", verb: "foo", params: ["bar", "baz", "asdf quux"]),
    .init(input: "foo bar baz :", verb: "foo", params: ["bar", "baz", ""]),
    .init(input: "foo bar baz ::asdf", verb: "foo", params: ["bar", "baz", ":asdf"]),
    .init(input: ":coolguy foo bar baz :asdf quux", source: "coolguy", verb: "foo", params: ["bar", "baz", "asdf quux"]),
    .init(input: ":coolguy foo bar baz :  asdf quux ", source: "coolguy", verb: "foo", params: ["bar", "baz", "  asdf quux "]),
    .init(input: ":coolguy PRIVMSG bar :lol :) ", source: "coolguy", verb: "PRIVMSG", params: ["bar", "lol :) "]),
    .init(input: ":coolguy foo bar baz :", source: "coolguy", verb: "foo", params: ["bar", "baz", ""]),
    .init(input: ":coolguy foo bar baz :  ", source: "coolguy", verb: "foo", params: ["bar", "baz", "  "]),
    .init(input: "@a=b;c=32;k;rt=ql7 foo", tags: ["a": "b", "c": "32", "k": "", "rt": "ql7"], verb: "foo"),
    .init(input: #"@a=b\\and\nk;c=72\s45;d=gh\:764 foo"#, tags: ["a": "b\\and\nk", "c": "72 45", "d": "gh;764"], verb: "foo"),
    .init(input: "@c;h=;a=b :quux ab cd", tags: ["c": "", "h": "", "a": "b"], source: "quux", verb: "ab", params: ["cd"]),
    .init(input: ":src JOIN #chan", source: "src", verb: "JOIN", params: ["#chan"]),
    .init(input: ":src JOIN :#chan", source: "src", verb: "JOIN", params: ["#chan"]),
    .init(input: ":src AWAY", source: "src", verb: "AWAY"),
    .init(input: ":src AWAY ", source: "src", verb: "AWAY"),
    .init(input: ":cool\tguy foo bar baz", source: "cool\tguy", verb: "foo", params: ["bar", "baz"]),
    .init(input: ":coolguy!ag@net\u{3}5w\u{3}ork.admin PRIVMSG foo :bar baz",
          source: "coolguy!ag@net\u{3}5w\u{3}ork.admin", verb: "PRIVMSG", params: ["foo", "bar baz"]),
    .init(input: ":coolguy!~ag@n\u{2}et\u{3}05w\u{f}ork.admin PRIVMSG foo :bar baz",
          source: "coolguy!~ag@n\u{2}et\u{3}05w\u{f}ork.admin", verb: "PRIVMSG", params: ["foo", "bar baz"]),
    .init(input: "@tag1=value1;tag2;vendor1/tag3=value2;vendor2/tag4= :irc.example.com COMMAND param1 param2 :param3 param3",
          tags: ["tag1": "value1", "tag2": "", "vendor1/tag3": "value2", "vendor2/tag4": ""],
          source: "irc.example.com", verb: "COMMAND", params: ["param1", "param2", "param3 param3"]),
    .init(input: ":irc.example.com COMMAND param1 param2 :param3 param3",
          source: "irc.example.com", verb: "COMMAND", params: ["param1", "param2", "param3 param3"]),
    .init(input: "@tag1=value1;tag2;vendor1/tag3=value2;vendor2/tag4 COMMAND param1 param2 :param3 param3",
          tags: ["tag1": "value1", "tag2": "", "vendor1/tag3": "value2", "vendor2/tag4": ""],
          verb: "COMMAND", params: ["param1", "param2", "param3 param3"]),
    .init(input: "COMMAND", verb: "COMMAND"),
    .init(input: #"@foo=\\\\\:\\s\s\r\n COMMAND"#, tags: ["foo": "\\\\;\\s \r\n"], verb: "COMMAND"),
    .init(input: ":gravel.mozilla.org 432  #momo :Erroneous Nickname: Illegal characters",
          source: "gravel.mozilla.org", verb: "432", params: ["#momo", "Erroneous Nickname: Illegal characters"]),
    .init(input: ":gravel.mozilla.org MODE #tckk +n ", source: "gravel.mozilla.org", verb: "MODE", params: ["#tckk", "+n"]),
    .init(input: ":services.esper.net MODE #foo-bar +o foobar  ",
          source: "services.esper.net", verb: "MODE", params: ["#foo-bar", "+o", "foobar"]),
    .init(input: #"@tag1=value\\ntest COMMAND"#, tags: ["tag1": "value\\ntest"], verb: "COMMAND"),
    .init(input: #"@tag1=value\1 COMMAND"#, tags: ["tag1": "value1"], verb: "COMMAND"),
    .init(input: #"@tag1=value1\ COMMAND"#, tags: ["tag1": "value1"], verb: "COMMAND"),
    .init(input: "@tag1=1;tag2=3;tag3=4;tag1=5 COMMAND", tags: ["tag1": "5", "tag2": "3", "tag3": "4"], verb: "COMMAND"),
    .init(input: "@tag1=1;tag2=3;tag3=4;tag1=5;vendor/tag2=8 COMMAND",
          tags: ["tag1": "5", "tag2": "3", "tag3": "4", "vendor/tag2": "8"], verb: "COMMAND"),
    .init(input: ":SomeOp MODE #channel :+i", source: "SomeOp", verb: "MODE", params: ["#channel", "+i"]),
    .init(input: ":SomeOp MODE #channel +oo SomeUser :AnotherUser",
          source: "SomeOp", verb: "MODE", params: ["#channel", "+oo", "SomeUser", "AnotherUser"]),
]

@Suite struct IRCMessageParsingTests {
    @Test(arguments: msgSplitVectors)
    func splitsIntoTheAtomsOfTheIrcdocsVectors(_ vector: SplitVector) throws {
        let message = try IRCMessage(parsing: vector.input)
        #expect(message.command == vector.verb.uppercased())
        #expect(message.source?.raw == vector.source)
        #expect(message.parameters == vector.params)
        #expect(message.tags.count == vector.tags.count)
        for (key, value) in vector.tags {
            #expect(message.tag(key) == value, "tag \(key)")
        }
    }

    @Test func lowercaseCommandIsUppercasedAndNumericsStayDigits() throws {
        #expect(try IRCMessage(parsing: "privmsg #a :hi").command == "PRIVMSG")
        #expect(try IRCMessage(parsing: ":srv 001 bot :Welcome").command == IRCNumeric.welcome)
    }

    @Test func duplicateTagKeepsTheLastValueInItsPosition() throws {
        let message = try IRCMessage(parsing: "@a=1;b=2;a=3 CMD")
        #expect(message.tags == [IRCTag(key: "b", value: "2"), IRCTag(key: "a", value: "3")])
    }

    /// Many tags take the hashing path instead of pairwise comparison; the result must not differ.
    @Test func duplicateTagAmongManyKeepsTheLastValueInItsPosition() throws {
        let keys = (1...20).map { "k\($0)" }
        let line = "@" + keys.map { "\($0)=x" }.joined(separator: ";") + ";k3=last CMD"
        let message = try IRCMessage(parsing: line)
        #expect(message.tags.map(\.key) == keys.filter { $0 != "k3" } + ["k3"])
        #expect(message.tag("k3") == "last")
    }

    @Test func tagOrderIsPreserved() throws {
        let message = try IRCMessage(parsing: "@z=1;a=2;m CMD")
        #expect(message.tags.map(\.key) == ["z", "a", "m"])
    }

    @Test func tagWithoutValueAndWithEmptyValueAreTheSame() throws {
        #expect(try IRCMessage(parsing: "@a CMD") == IRCMessage(parsing: "@a= CMD"))
        #expect(try IRCMessage(parsing: "@a CMD").tags == [IRCTag(key: "a")])
        #expect(try IRCMessage(parsing: "CMD").tag("a") == nil)
    }

    @Test func strayTagSeparatorsAreIgnored() throws {
        #expect(try IRCMessage(parsing: "@a=1;;b; CMD").tags.map(\.key) == ["a", "b"])
    }

    @Test func fourteenMiddlesThenRestOfLineIsTheFifteenthParameter() throws {
        let middles = (1...14).map(String.init).joined(separator: " ")
        let message = try IRCMessage(parsing: "CMD \(middles) 15 16  17")
        #expect(message.parameters.count == 15)
        #expect(Array(message.parameters.prefix(14)) == (1...14).map(String.init))
        #expect(message.parameters[14] == "15 16  17")
    }

    @Test func fifteenthParameterMayStillUseTheColon() throws {
        let middles = (1...14).map(String.init).joined(separator: " ")
        #expect(try IRCMessage(parsing: "CMD \(middles) :15 16").parameters.last == "15 16")
        #expect(try IRCMessage(parsing: "CMD \(middles) ::x").parameters.last == ":x")
        #expect(try IRCMessage(parsing: "CMD \(middles)   ").parameters.count == 14)
    }

    @Test func invalidUTF8IsDecodedAsLatin1PerField() throws {
        // #café in Latin-1, trailing in valid UTF-8, nick in Latin-1.
        var line = Array(":n".utf8) + [0xE9] + Array("!u@h PRIVMSG #caf".utf8) + [0xE9]
        line += Array(" :café ok".utf8)
        let message = try IRCMessage(parsing: line)
        #expect(message.source?.nick == "né")
        #expect(message.parameters == ["#café", "café ok"])
    }

    @Test func fieldMixingValidAndInvalidUTF8FallsBackAsAWhole() throws {
        let line = Array("PRIVMSG #a :caf".utf8) + [0xC3, 0xA9, 0x20, 0xFF]
        #expect(try IRCMessage(parsing: line).parameters.last == "caf\u{C3}\u{A9} \u{FF}")
    }

    @Test func invalidUTF8InTagValueIsDecodedAsLatin1() throws {
        let line = Array("@k=".utf8) + [0xE9] + Array(" CMD".utf8)
        #expect(try IRCMessage(parsing: line).tag("k") == "é")
    }

    @Test func serverNameSourceIsReportedAsNickAndServer() throws {
        let source = try #require(try IRCMessage(parsing: ":irc.example.com NOTICE * :hi").source)
        #expect(source.nick == "irc.example.com")
        #expect(source.isServer)
        #expect(source.user == nil && source.host == nil)
    }

    @Test func leadingSpacesAreTolerated() throws {
        #expect(try IRCMessage(parsing: "  PING x").parameters == ["x"])
    }

    // MARK: Errors

    @Test(arguments: [
        ("", IRCParseError.emptyLine),
        ("   ", .emptyLine),
        ("@a=b", .missingCommand),
        ("@a=b ", .missingCommand),
        (":src", .missingCommand),
        (":src   ", .missingCommand),
        ("@ CMD", .badTagSection("'@' is not followed by any tag")),
        ("@=x CMD", .badTagSection("a tag has a value but no name")),
        ("PRIV-MSG #a :x", .invalidCommand("PRIV-MSG")),
        (":src :CMD", .invalidCommand(":CMD")),
        ("PRIVMSG #a :x\u{0}y", .forbiddenCharacter(0x00)),
        ("PRIVMSG #a :x\ry", .forbiddenCharacter(0x0D)),
        ("PRIVMSG #a :x\ny", .forbiddenCharacter(0x0A)),
    ])
    func malformedLinesAreRejectedWithATypedError(_ line: String, _ expected: IRCParseError) {
        #expect(throws: expected) { try IRCMessage(parsing: line) }
    }

    @Test func bodyOf512BytesIncludingCRLFIsAccepted() throws {
        let prefix = "PRIVMSG #c :"
        let line = prefix + String(repeating: "a", count: 510 - prefix.utf8.count)
        #expect(try IRCMessage(parsing: line).parameters.last?.utf8.count == 498)
    }

    @Test func bodyOver512BytesIsTooLong() {
        let prefix = "PRIVMSG #c :"
        let line = prefix + String(repeating: "a", count: 511 - prefix.utf8.count)
        #expect(throws: IRCParseError.lineTooLong(.body, bytes: 513, limit: 512)) {
            try IRCMessage(parsing: line)
        }
    }

    @Test func tagsDoNotCountAgainstTheBodyLimit() throws {
        let tags = "@k=" + String(repeating: "v", count: 8000)
        let body = "PRIVMSG #c :" + String(repeating: "a", count: 498)
        #expect(try IRCMessage(parsing: tags + " " + body).tag("k")?.utf8.count == 8000)
    }

    @Test func tagSectionOf8191BytesIsAcceptedAnd8192IsTooLong() throws {
        // '@' + "k=" + value + ' ' == 8191
        let fits = "@k=" + String(repeating: "v", count: 8191 - 4) + " CMD"
        #expect(try IRCMessage(parsing: fits).tag("k")?.utf8.count == 8187)
        let tooLong = "@k=" + String(repeating: "v", count: 8191 - 3) + " CMD"
        #expect(throws: IRCParseError.lineTooLong(.tags, bytes: 8192, limit: 8191)) {
            try IRCMessage(parsing: tooLong)
        }
    }

    @Test func largerLineLengthFromISupportIsHonoured() throws {
        let line = "PRIVMSG #c :" + String(repeating: "a", count: 1000)
        #expect(throws: IRCParseError.self) { try IRCMessage(parsing: line) }
        let limits = IRCLineLimits(bodyBytes: 2048)
        #expect(try IRCMessage(parsing: line, limits: limits).parameters.last?.utf8.count == 1000)
    }

    @Test func errorDescriptionsTellWhatWentWrong() {
        #expect(IRCParseError.lineTooLong(.body, bytes: 600, limit: 512).description
            == "line too long: source, command and parameters take 600 bytes including CRLF, the limit is 512 (RFC 1459 §2.3)")
        #expect(IRCParseError.lineTooLong(.tags, bytes: 9000, limit: 8191).description
            == "line too long: the tag section has 9000 bytes, the limit is 8191 (IRCv3 message-tags)")
        #expect(IRCParseError.lineTooLong(.line, bytes: 9000, limit: 8703).description.contains("discarded"))
        #expect(IRCParseError.emptyLine.description.contains("empty line"))
        #expect(IRCParseError.missingCommand.description.contains("missing command"))
        #expect(IRCParseError.forbiddenCharacter(0).description.hasPrefix("forbidden byte 0x00"))
        #expect(IRCParseError.forbiddenCharacter(0x0D).description.hasPrefix("forbidden byte 0x0D"))
        #expect(IRCParseError.badTagSection("x").description == "bad tag section: x")
        #expect(IRCParseError.invalidCommand("A-B").description.contains("\"A-B\""))
    }
}
