import IRC
import Testing

@Suite struct IRCNumericTests {
    @Test func numericsMatchTheRFCAndIRCv3Values() {
        let expected: [(String, String)] = [
            (IRCNumeric.welcome, "001"), (IRCNumeric.isupport, "005"), (IRCNumeric.erroneousNickname, "432"),
            (IRCNumeric.nicknameInUse, "433"), (IRCNumeric.nickCollision, "436"), (IRCNumeric.channelIsFull, "471"),
            (IRCNumeric.inviteOnlyChannel, "473"), (IRCNumeric.bannedFromChannel, "474"),
            (IRCNumeric.badChannelKey, "475"), (IRCNumeric.loggedIn, "900"), (IRCNumeric.saslSuccess, "903"),
            (IRCNumeric.saslFail, "904"), (IRCNumeric.saslTooLong, "905"), (IRCNumeric.saslAborted, "906"),
            (IRCNumeric.saslAlready, "907"), (IRCNumeric.saslMechs, "908"), (IRCNumeric.whoSpecialReply, "354"),
            (IRCNumeric.endOfWho, "315"), (IRCNumeric.inviting, "341"), (IRCNumeric.endOfMOTD, "376"),
            (IRCNumeric.noMOTD, "422"), (IRCNumeric.namesReply, "353"),
        ]
        for (constant, value) in expected {
            #expect(constant == value)
        }
    }

    @Test func parsedNumericMatchesTheConstant() throws {
        let message = try IRCMessage(parsing: ":irc.example.com 433 * tocsin :Nickname is already in use")
        #expect(message.command == IRCNumeric.nicknameInUse)
    }
}
