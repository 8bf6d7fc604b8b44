import IRC
import Testing

/// A parsed message keeps its line and decodes fields when read (IRCParsedLine). These pin that
/// what is read one field at a time is what the whole-field accessors give, and that equality and
/// hashing stay about fields, not bytes.
@Suite struct IRCMessageLazyFieldsTests {
    static let lines: [String] = [
        "PING",
        "foo bar baz :asdf quux",
        ":coolguy   foo   bar  ",
        "@a=1;b;c=x\\sy :n!u@h PRIVMSG #ops :hello there",
        "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
        "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 ::x",
        "CMD a :",
        "@;; CMD",
    ]

    @Test(arguments: lines)
    func parameterByPositionMatchesTheParameterList(_ line: String) throws {
        let message = try IRCMessage(parsing: line)
        let all = message.parameters
        #expect(message.parameterCount == all.count)
        for (position, value) in all.enumerated() {
            #expect(message.parameter(position) == value)
        }
        #expect(message.parameter(all.count) == nil)
        #expect(message.parameter(-1) == nil)
    }

    @Test(arguments: lines)
    func parsedMessageEqualsAndHashesLikeTheBuiltOneWithItsFields(_ line: String) throws {
        let parsed = try IRCMessage(parsing: line)
        let built = IRCMessage(command: parsed.command, parameters: parsed.parameters, tags: parsed.tags, source: parsed.source)
        #expect(parsed == built)
        #expect(built == parsed)
        #expect(parsed.hashValue == built.hashValue)
        #expect(Set([parsed, built]).count == 1)
    }

    @Test func differentlySpelledLinesWithTheSameFieldsAreEqual() throws {
        let spaced = try IRCMessage(parsing: "@a=;b=2;b=3 :n!u@h  cmd   x  :y")
        let canonical = try IRCMessage(parsing: "@a;b=3 :n!u@h CMD x y")
        #expect(spaced == canonical)
        #expect(spaced.hashValue == canonical.hashValue)
        #expect(try IRCMessage(parsing: "CMD x :y z") != IRCMessage(parsing: "CMD x y z"))
    }

    @Test func tagLookupReadsTheLastOccurrenceUnescaped() throws {
        let message = try IRCMessage(parsing: #"@k=first;e=;k=a\sb\:c;n CMD"#)
        #expect(message.tag("k") == "a b;c")
        #expect(message.tag("e") == "")
        #expect(message.tag("n") == "")
        #expect(message.tag("missing") == nil)
        #expect(message.tags == [IRCTag(key: "e"), IRCTag(key: "k", value: "a b;c"), IRCTag(key: "n")])
    }

    @Test func tagLookupComparesKeysAsStrings() throws {
        // "e" + COMBINING ACUTE on the wire is canonically equal to the precomposed "é".
        let message = try IRCMessage(parsing: "@e\u{301}=1;+ké=2 CMD")
        #expect(message.tag("é") == "1")
        #expect(message.tag("+ké") == "2")
        #expect(message.tags.map(\.key) == ["e\u{301}", "+ké"])
    }

    @Test func latin1TagKeyIsFoundByItsDecodedName() throws {
        let line = Array("@k".utf8) + [0xE9] + Array("=v CMD".utf8)
        #expect(try IRCMessage(parsing: line).tag("ké") == "v")
    }

    @Test func settingOneFieldOfAParsedMessageKeepsTheOthers() throws {
        var message = try IRCMessage(parsing: "@time=2011-10-19T16:40:51.620Z :n!u@h PRIVMSG #ops :hi")
        message.parameters[1] = "bye"
        #expect(message.wireLine == "@time=2011-10-19T16:40:51.620Z :n!u@h PRIVMSG #ops bye")
        message.command = "NOTICE"
        message.source = nil
        message.tags.append(IRCTag(key: "msgid", value: "x"))
        #expect(message.wireLine == "@time=2011-10-19T16:40:51.620Z;msgid=x NOTICE #ops bye")
        #expect(message.msgid == "x")
    }

    @Test func sourcePartsAreSplitOnScalarsNotCharacters() {
        // A combining mark right after '!' must not pull the '!' into the user part.
        let source = IRCSource(raw: "nick!\u{301}user@host")
        #expect(source.nick == "nick")
        #expect(source.user == "\u{301}user")
        #expect(source.host == "host")
    }

    /// The scanner reads eight bytes at a time: a forbidden byte must be found, and the first one
    /// reported, at every position of a word and in the tail, also next to formatting codes.
    @Test(arguments: [UInt8(0x00), 0x0A, 0x0D])
    func forbiddenByteIsFoundAtEveryOffset(_ forbidden: UInt8) throws {
        let base = Array("PRIVMSG #ops :\u{2}bold\u{3}04 text\u{1} and more words here".utf8)
        for offset in 0..<base.count {
            var line = base
            line[offset] = forbidden
            if offset + 3 < line.count { line[offset + 3] = forbidden == 0x00 ? 0x0A : 0x00 }
            #expect(throws: IRCParseError.forbiddenCharacter(forbidden)) { try IRCMessage(parsing: line) }
        }
    }

    /// Whether a line is all ASCII decides how fields decode: a Latin-1 byte anywhere in a word
    /// or in the tail must make its field fall back to Latin-1 as a whole, and leave the others.
    @Test func latin1ByteAtEveryOffsetFallsBackForItsFieldOnly() throws {
        let head = Array("PRIVMSG #ops :".utf8)
        let trailing = Array("caf\u{E9} plus padding that spans words".utf8)  // valid UTF-8
        for offset in trailing.indices {
            var bytes = trailing
            bytes[offset] = 0xE9  // a lone Latin-1 é: the field is no longer UTF-8
            let latin1 = String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
            let message = try IRCMessage(parsing: head + bytes)
            #expect(message.parameters == ["#ops", latin1])
            #expect(message.parameter(1) == latin1)
        }
    }
}
