import IRC
import Testing

/// Lines a bot meets, from RFC 1459/2812 examples, the IRCv3 specs and real servers, already
/// in canonical form: serializing the parsed message must give back exactly the same bytes.
let canonicalLines: [String] = [
    ":WiZ!jto@tolsun.oulu.fi NICK Kilroy",
    ":syrk!kalt@millennium.stealth.net QUIT :Gone to have lunch",
    ":Trillian SQUIT cm22.eng.umd.edu :Server out of control",
    ":WiZ!jto@tolsun.oulu.fi JOIN #Twilight_zone",
    ":WiZ!jto@tolsun.oulu.fi PART #playzone :I lost",
    ":WiZ!jto@tolsun.oulu.fi TOPIC #test :New topic",
    ":Angel!wings@irc.org INVITE Wiz #Dust",
    ":WiZ!jto@tolsun.oulu.fi KICK #Finnish John",
    ":Angel!wings@irc.org PRIVMSG Wiz :Are you receiving this message ?",
    "PRIVMSG jto@tolsun.oulu.fi :Hello !",
    "PRIVMSG $*.fi :Server tolsun.oulu.fi rebooting.",
    "PRIVMSG #*.edu :NSFNet is undergoing work, expect interruptions",
    "MODE #Finnish +imI *!*@*.fi",
    ":MODE!a@b MODE #Finnish +o Kilroy",
    "USER guest 0 * :Ronnie Reagan",
    "PING tolsun.oulu.fi",
    "PONG csd.bu.edu tolsun.oulu.fi",
    "ERROR :Server *.fi already exists",
    "NOTICE * :*** Looking up your hostname...",
    "CAP LS 302",
    "CAP * LS * :multi-prefix sasl=PLAIN,EXTERNAL server-time",
    "CAP * LS :account-tag message-tags",
    "CAP REQ :sasl server-time account-tag",
    ":irc.example.com CAP tocsin ACK :sasl server-time account-tag",
    "AUTHENTICATE PLAIN",
    "AUTHENTICATE +",
    "AUTHENTICATE amlsbGVzAGppbGxlcwBzZXNhbWU=",
    ":irc.example.com 903 tocsin :SASL authentication successful",
    ":irc.example.com 001 tocsin :Welcome to the ExampleNet IRC Network tocsin!bot@203.0.113.7",
    ":irc.example.com 005 tocsin CASEMAPPING=rfc1459 CHANTYPES=# PREFIX=(ov)@+ :are supported by this server",
    ":irc.example.com 433 * tocsin :Nickname is already in use",
    ":irc.example.com 353 tocsin = #ops :@alice +bob carol",
    ":irc.example.com 474 tocsin #secret :Cannot join channel (+b)",
    "@time=2023-04-05T06:07:08.090Z;account=alice;msgid=Xy7 :alice!~a@host.example PRIVMSG #ops :!ack 123",
    "@+draft/reply=Xy7;+example.com/x=y TAGMSG #ops",
    "@batch=yXNAbvnRHTRBv :irc.example.com BATCH +yXNAbvnRHTRBv chathistory #ops",
    "@label=abc;msgid=63E1033A051D4B41B1AB1FA3CF4B243E :bot!bot@host PRIVMSG #ops :echo me",
    ":alice!~a@host.example PRIVMSG #ops :\u{1}ACTION waves\u{1}",
    ":alice!~a@host.example PRIVMSG tocsin \u{1}VERSION\u{1}",
    ":tocsin!bot@host NOTICE alice :\u{1}VERSION Tocsin 1.0\u{1}",
    ":alice!~a@host.example PRIVMSG #ops :\u{2}bold\u{2} \u{3}04,01red\u{3} \u{1D}it\u{1D}",
    ":alice!~a@host.example JOIN #ops alice :Alice Example",
    ":alice!~a@host.example ACCOUNT alice",
    ":alice!~a@host.example CHGHOST ~a new.host.example",
    ":irc.example.com FAIL CHATHISTORY MESSAGE_ERROR the_given_command :Messages could not be retrieved",
    ":irc.example.com 354 tocsin 152 #ops ~a host.example alice H@ alice :Alice Example",
    ":irc.example.com 341 tocsin alice #ops",
    ":bob!b@h KICK #ops tocsin :flooding again",
    "PRIVMSG #ops :",
    "PRIVMSG #ops ::-)",
    "PRIVMSG #ops :🚨 Incident #42 (critical): disk full on db-1 — ack with !ack 42",
]

/// Valid lines that are not in canonical form (extra spaces, optional colons, lower case).
let nonCanonicalLines: [String] = [
    "foo bar baz :asdf",
    ":coolguy   foo   bar",
    "@a=;b CMD",
    #"@a=\x\ CMD"#,
    "@a=1;a=2 CMD",
    ":gravel.mozilla.org MODE #tckk +n ",
    "privmsg #a :one",
    "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
    "CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 ::x",
    ":alice!~a@host.example PRIVMSG tocsin :\u{1}VERSION\u{1}",
    ":bob!b@h KICK #ops tocsin :flooding",
]

@Suite struct IRCMessageRoundTripTests {
    @Test(arguments: canonicalLines)
    func canonicalLineSerializesToItself(_ line: String) throws {
        let message = try IRCMessage(parsing: line)
        #expect(message.wireLine == line)
        #expect(try IRCMessage(parsing: message.serialized()) == message)
    }

    @Test(arguments: nonCanonicalLines)
    func nonCanonicalLineRoundTripsToAnEqualMessage(_ line: String) throws {
        let message = try IRCMessage(parsing: line)
        let again = try IRCMessage(parsing: message.serialized())
        #expect(again == message)
        #expect(again.serialized() == message.serialized())
    }

    @Test(arguments: msgSplitVectors)
    func ircdocsSplitVectorsRoundTrip(_ vector: SplitVector) throws {
        let message = try IRCMessage(parsing: vector.input)
        #expect(try IRCMessage(parsing: message.serialized()) == message)
    }

    @Test func latin1FieldRoundTripsThroughUTF8() throws {
        let line = Array("PRIVMSG #caf".utf8) + [0xE9] + Array(" :na".utf8) + [0xEF, 0x76, 0x65]
        let message = try IRCMessage(parsing: line)
        #expect(message.wireLine == "PRIVMSG #café naïve")
        #expect(try IRCMessage(parsing: message.serialized()) == message)
    }

    @Test func parsedMessagesAreHashable() throws {
        let set: Set<IRCMessage> = [
            try IRCMessage(parsing: "PING x"), try IRCMessage(parsing: "ping :x"), try IRCMessage(parsing: "PING y"),
        ]
        #expect(set.count == 2)
    }
}
