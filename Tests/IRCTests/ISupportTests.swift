import IRC
import Testing

@Suite struct ISupportTests {
    private func isupport(_ lines: String...) throws -> ISupport {
        var support = ISupport()
        for line in lines { support.apply(try IRCMessage(parsing: line)) }
        return support
    }

    @Test func defaultsApplyBeforeTheServerSaysAnything() {
        let support = ISupport()
        #expect(support.caseMapping == .rfc1459)
        #expect(support.chanTypes == "#&")
        #expect(support.prefix == [.init(mode: "o", symbol: "@"), .init(mode: "v", symbol: "+")])
        #expect(support.nickLength == nil)
        #expect(support.channelLength == nil)
        #expect(support.lineLength == 512)
        #expect(support.lineLimits == .standard)
        #expect(support.targMax.isEmpty)
        #expect(support.chanLimit.isEmpty)
        #expect(support.network == nil)
        #expect(!support.whox)
    }

    @Test func tokensFromSeveralLinesAccumulate() throws {
        let support = try isupport(
            ":irc.example.com 005 tocsin CASEMAPPING=rfc1459-strict CHANTYPES=#& PREFIX=(qaohv)~&@%+ NICKLEN=30 :are supported by this server",
            ":irc.example.com 005 tocsin CHANNELLEN=64 CHANLIMIT=#:250,&: NETWORK=Example\\x20Net WHOX LINELEN=2048 :are supported by this server")
        #expect(support.caseMapping == .rfc1459Strict)
        #expect(support.chanTypes == "#&")
        #expect(support.prefix.map(\.mode) == ["q", "a", "o", "h", "v"])
        #expect(support.prefix.map(\.symbol) == ["~", "&", "@", "%", "+"])
        #expect(support.nickLength == 30)
        #expect(support.channelLength == 64)
        let limits: [String: Int?] = ["#": 250, "&": nil]
        #expect(support.chanLimit == limits)
        #expect(support.network == "Example Net")
        #expect(support.whox)
        #expect(support.lineLength == 2048)
        #expect(support.lineLimits.bodyBytes == 2048)
        #expect(support.raw["WHOX"] == "")
        #expect(support.raw["NICKLEN"] == "30")
    }

    @Test func targmaxGivesPerCommandLimits() throws {
        let support = try isupport(
            ":s 005 me TARGMAX=NAMES:1,LIST:1,KICK:1,WHOIS:1,PRIVMSG:4,NOTICE:4,ACCEPT:,MONITOR:,join:5 :are supported")
        #expect(support.targMax["PRIVMSG"] == .some(4))
        #expect(support.targMax["ACCEPT"] == .some(nil))
        #expect(support.maxTargets(for: "PRIVMSG") == 4)
        #expect(support.maxTargets(for: "privmsg") == 4)
        #expect(support.maxTargets(for: "MONITOR") == nil)
        #expect(support.maxTargets(for: "JOIN") == 5)
        #expect(support.maxTargets(for: "PART") == nil)
        #expect(support.maxTargets(for: "INVITE") == 1)
    }

    @Test func withoutTargmaxOnlyJoinAndPartTakeLists() {
        let support = ISupport()
        #expect(support.maxTargets(for: "JOIN") == nil)
        #expect(support.maxTargets(for: "PART") == nil)
        #expect(support.maxTargets(for: "PRIVMSG") == 1)
        #expect(support.maxTargets(for: "KICK") == 1)
    }

    @Test func legacyMaxTargetsAppliesToPrivmsgAndNotice() {
        let support = ISupport(tokens: ["MAXTARGETS=3"])
        #expect(support.maxTargets(for: "PRIVMSG") == 3)
        #expect(support.maxTargets(for: "NOTICE") == 3)
        #expect(support.maxTargets(for: "KICK") == 1)
    }

    @Test func minusTokenWithdrawsAnAdvertisedToken() throws {
        var support = try isupport(":s 005 me WHOX NETWORK=Foo CASEMAPPING=ascii :are supported")
        #expect(support.whox)
        support.apply(try IRCMessage(parsing: ":s 005 me -WHOX -NETWORK -CASEMAPPING :are supported"))
        #expect(!support.whox)
        #expect(support.network == nil)
        #expect(support.caseMapping == .rfc1459)
        #expect(support.raw["WHOX"] == nil)
    }

    @Test func laterValueReplacesEarlierOne() {
        var support = ISupport(tokens: ["NICKLEN=9"])
        support.apply(token: "NICKLEN=31")
        #expect(support.nickLength == 31)
    }

    @Test func hexEscapesInValuesAreDecoded() {
        let support = ISupport(tokens: [#"NETWORK=A\x20B\x5Cc\x3Dd"#, #"X=\x4"#, #"Y=\xZZ"#, #"Z=caf\xC3\xA9"#])
        #expect(support.network == #"A B\c=d"#)
        #expect(support.raw["X"] == #"\x4"#)
        #expect(support.raw["Y"] == #"\xZZ"#)
        #expect(support.raw["Z"] == "café")
    }

    @Test func otherNumericsAreIgnored() throws {
        let support = try isupport(":s 004 me NETWORK=Foo :not isupport", ":s 005 me")
        #expect(support.raw.isEmpty)
    }

    @Test func malformedPrefixFallsBackToDefaultAndEmptyMeansNone() {
        #expect(ISupport(tokens: ["PREFIX=(ov)@"]).prefix.count == 2)
        #expect(ISupport(tokens: ["PREFIX=ov@+"]).prefix.map(\.symbol) == ["@", "+"])
        #expect(ISupport(tokens: ["PREFIX="]).prefix.isEmpty)
    }

    @Test func chantypesDecidesWhatIsAChannel() {
        let support = ISupport(tokens: ["CHANTYPES=#"])
        #expect(support.isChannel("#ops"))
        #expect(!support.isChannel("&local"))
        #expect(!support.isChannel("alice"))
        #expect(!support.isChannel(""))
        #expect(ISupport().isChannel("&local"))
        #expect(!ISupport(tokens: ["CHANTYPES="]).isChannel("#ops"))
    }

    @Test(arguments: [
        ("rfc1459", IRCCaseMapping.rfc1459), ("RFC1459", .rfc1459), ("ascii", .ascii),
        ("rfc1459-strict", .rfc1459Strict), ("strict-rfc1459", .rfc1459Strict),
        ("rfc8265", .ascii), ("precis", .ascii), ("rfc7613", .ascii), ("something-new", .rfc1459),
    ])
    func casemappingValuesAreRecognised(_ value: String, _ expected: IRCCaseMapping) {
        #expect(ISupport(tokens: ["CASEMAPPING=\(value)"]).caseMapping == expected)
    }

    @Test func nonNumericOrZeroLengthsAreIgnored() {
        let support = ISupport(tokens: ["NICKLEN=abc", "CHANNELLEN=0", "LINELEN=-5"])
        #expect(support.nickLength == nil)
        #expect(support.channelLength == nil)
        #expect(support.lineLength == 512)
    }
}
