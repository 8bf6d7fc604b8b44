import IRC
import Testing

@Suite struct CapabilityListTests {
    private func caps(_ line: String) throws -> CapabilityList {
        try #require(CapabilityList(try IRCMessage(parsing: line)))
    }

    @Test func multiLineLSIsMarkedWithAStarAndMerges() throws {
        var list = try caps(":irc.example.com CAP * LS * :multi-prefix sasl=PLAIN,EXTERNAL extended-join")
        #expect(list.subcommand == .ls)
        #expect(!list.isFinal)
        list.merge(try caps(":irc.example.com CAP * LS :server-time account-tag sts=port=6697,duration=300"))
        #expect(list.isFinal)
        #expect(list.capabilities.count == 6)
        #expect(list.contains("multi-prefix"))
        #expect(list.capabilities["multi-prefix"] == .some(nil))
        #expect(list.capabilities["sasl"] == "PLAIN,EXTERNAL")
        #expect(list.values(of: "sasl") == ["PLAIN", "EXTERNAL"])
        #expect(list.values(of: "multi-prefix").isEmpty)
        #expect(list.values(of: "sts") == ["port=6697", "duration=300"])
        #expect(!list.contains("echo-message"))
    }

    @Test func singleLineLSIsFinal() throws {
        let list = try caps("CAP * LS :a b=c d")
        #expect(list.isFinal)
        let expected: [String: String?] = ["a": nil, "b": "c", "d": nil]
        #expect(list.capabilities == expected)
    }

    @Test(arguments: [
        ("CAP tocsin ACK :sasl server-time", CapabilityList.Subcommand.ack),
        ("CAP tocsin NAK :sasl server-time", .nak),
        ("CAP tocsin NEW :sasl server-time", .new),
        ("CAP tocsin DEL :sasl server-time", .del),
        ("CAP tocsin LIST :sasl server-time", .list),
        ("CAP tocsin ls :sasl server-time", .ls),
    ])
    func everyListSubcommandIsRecognised(_ line: String, _ subcommand: CapabilityList.Subcommand) throws {
        let list = try caps(line)
        #expect(list.subcommand == subcommand)
        #expect(list.isFinal)
        #expect(Set(list.capabilities.keys) == ["sasl", "server-time"])
    }

    @Test func ackCanDisableACapability() throws {
        #expect(try caps("CAP tocsin ACK :-echo-message").contains("-echo-message"))
    }

    @Test func ackWithoutColonAndEmptyListsParse() throws {
        #expect(try caps("CAP * ACK sasl").contains("sasl"))
        #expect(try caps("CAP * LS :").capabilities.isEmpty)
        #expect(try caps("CAP * LS").capabilities.isEmpty)
    }

    @Test(arguments: ["PRIVMSG #a :CAP * LS :x", "CAP * REQ :sasl", "CAP * END", "CAP"])
    func otherMessagesAreNotCapabilityLists(_ line: String) throws {
        #expect(CapabilityList(try IRCMessage(parsing: line)) == nil)
    }
}
