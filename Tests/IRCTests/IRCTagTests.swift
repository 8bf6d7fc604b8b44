import Foundation
import IRC
import Testing

@Suite struct IRCTagTests {
    @Test(arguments: [
        (#"\:"#, ";"), (#"\s"#, " "), (#"\\"#, "\\"), (#"\r"#, "\r"), (#"\n"#, "\n"),
        (#"a\b"#, "ab"), (#"trailing\"#, "trailing"), (#"\\s"#, "\\s"), (#"x\:\s\\y"#, "x; \\y"),
    ])
    func tagValueEscapesAreUndone(_ wire: String, _ value: String) throws {
        let message = try IRCMessage(parsing: "@k=\(wire) CMD")
        #expect(message.tag("k") == value)
    }

    @Test(arguments: [";", " ", "\\", "\r", "\n", "a;b c\\d\re\nf", "plain", "ünïcödé 🚨"])
    func tagValueSurvivesEscapingRoundTrip(_ value: String) throws {
        let message = IRCMessage(command: "TAGMSG", parameters: ["#a"], tags: [IRCTag(key: "k", value: value)])
        #expect(try IRCMessage(parsing: message.serialized()).tag("k") == value)
    }

    @Test func emptyValueIsStoredAsNil() {
        #expect(IRCTag(key: "a", value: "").value == nil)
        #expect(IRCTag(key: "a", value: "") == IRCTag(key: "a"))
    }

    @Test func clientOnlyAndVendorKeysAreKeptVerbatim() throws {
        let message = try IRCMessage(parsing: "@+draft/reply=abc;example.com/foo=bar;+typing=active TAGMSG #a")
        #expect(message.tags.map(\.key) == ["+draft/reply", "example.com/foo", "+typing"])
    }

    @Test func accountTagIsTheSendersServicesAccount() throws {
        #expect(try IRCMessage(parsing: "@account=alice :a!b@c PRIVMSG #x :!ack 1").account == "alice")
        #expect(try IRCMessage(parsing: ":a!b@c PRIVMSG #x :!ack 1").account == nil)
        #expect(try IRCMessage(parsing: "@account=* :a!b@c PRIVMSG #x :hi").account == nil)
        #expect(try IRCMessage(parsing: "@account :a!b@c PRIVMSG #x :hi").account == nil)
    }

    @Test func msgidIsExposed() throws {
        #expect(try IRCMessage(parsing: "@msgid=Xy7 :a!b@c PRIVMSG #x :hi").msgid == "Xy7")
        #expect(try IRCMessage(parsing: "PRIVMSG #x :hi").msgid == nil)
    }

    @Test func serverTimeIsParsedAsUTC() throws {
        let message = try IRCMessage(parsing: "@time=2011-10-19T16:40:51.620Z :a!b@c PRIVMSG #x :hi")
        let date = try #require(message.serverTime)
        #expect(abs(date.timeIntervalSince1970 - 1_319_042_451.62) < 0.0005)
    }

    @Test func serverTimeWithoutFractionAndBeforeTheEpochWork() throws {
        let plain = try IRCMessage(parsing: "@time=2024-02-29T00:00:00Z PING x").serverTime
        #expect(plain?.timeIntervalSince1970 == 1_709_164_800)
        let old = try IRCMessage(parsing: "@time=1969-12-31T23:59:59.000Z PING x").serverTime
        #expect(old?.timeIntervalSince1970 == -1)
    }

    @Test(arguments: ["", "yesterday", "2011-10-19 16:40:51Z", "2011-10-19T16:40:51.620", "2011-13-19T16:40:51Z",
                      "2011-10-19T16:40:51.Z", "2011-10-19T16:40:51+00:00", "2011-10-19T25:40:51Z"])
    func malformedServerTimeIsNil(_ value: String) throws {
        let message = IRCMessage(command: "PING", parameters: ["x"], tags: [IRCTag(key: "time", value: value)])
        #expect(message.serverTime == nil)
    }
}
