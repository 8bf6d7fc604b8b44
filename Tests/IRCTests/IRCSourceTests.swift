import IRC
import Testing

@Suite struct IRCSourceTests {
    /// ircdocs/parser-tests `userhost-split.yaml` (CC0); empty parts are `nil`.
    @Test(arguments: [
        ("coolguy!ag@127.0.0.1", "coolguy", "ag", "127.0.0.1"),
        ("coolguy!~ag@localhost", "coolguy", "~ag", "localhost"),
        ("!ag@127.0.0.1", "", "ag", "127.0.0.1"),
        ("coolguy!@127.0.0.1", "coolguy", nil, "127.0.0.1"),
        ("coolguy@127.0.0.1", "coolguy", nil, "127.0.0.1"),
        ("coolguy!ag@", "coolguy", "ag", nil),
        ("coolguy!ag", "coolguy", "ag", nil),
        ("coolguy!ag@net\u{3}5w\u{3}ork.admin", "coolguy", "ag", "net\u{3}5w\u{3}ork.admin"),
        ("coolguy!~ag@n\u{2}et\u{3}05w\u{f}ork.admin", "coolguy", "~ag", "n\u{2}et\u{3}05w\u{f}ork.admin"),
    ] as [(String, String, String?, String?)])
    func userhostSplitsLikeTheIrcdocsVectors(_ raw: String, _ nick: String, _ user: String?, _ host: String?) {
        let source = IRCSource(raw: raw)
        #expect(source.nick == nick)
        #expect(source.user == user)
        #expect(source.host == host)
        #expect(source.raw == raw)
    }

    @Test func partsBuildTheRawForm() {
        #expect(IRCSource(nick: "a", user: "b", host: "c").raw == "a!b@c")
        #expect(IRCSource(nick: "a").raw == "a")
        #expect(IRCSource(nick: "a", host: "c") == IRCSource(raw: "a@c"))
    }

    @Test func serverNamesAreRecognised() {
        #expect(IRCSource(raw: "irc.libera.chat").isServer)
        #expect(!IRCSource(raw: "alice").isServer)
        #expect(!IRCSource(raw: "alice!a@host.example").isServer)
    }
}
