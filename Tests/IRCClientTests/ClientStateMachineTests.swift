import Foundation
import IRC
import Testing
import TocsinCore
@testable import IRCClient

@Suite("Client state machine: session flow")
struct ClientSessionFlowTests {
    @Test func joinsConfiguredRoomsAfterEndOfMOTDAndIsReadyWhenTheyAnswer() {
        let rooms: [IRCClientConfiguration.Room] = [.init(name: "#ops"), .init(name: "#secret", key: "k3y")]
        // The joins go out at the end of the MOTD, keyed channel first.
        let now = ContinuousClock.now
        var m = IRCClientStateMachine(configuration: config(rooms: rooms), now: now)
        _ = m.connectionEstablished(now: now)
        _ = m.receive(line(":srv 421 * CAP :Unknown command"), now: now)
        _ = m.receive(line(":srv 001 tocsin :Welcome"), now: now)
        let motd = m.receive(line(":srv 376 tocsin :End of MOTD"), now: now)
        #expect(motd.written == ["JOIN #secret,#ops k3y"])
        #expect(!motd.isReady)

        var s = Session(config(rooms: rooms), joinRooms: false)
        #expect(!s.receive(":tocsin!~tocsin@bot.example.org JOIN #ops").isReady)
        #expect(s.receive(":tocsin!~tocsin@bot.example.org JOIN #secret").isReady)
        #expect(s.machine.rooms.isJoined("#OPS"))
    }

    @Test func readyWithoutRoomsRightAfterRegistration() {
        var m = IRCClientStateMachine(configuration: config(rooms: []), now: .now)
        _ = m.connectionEstablished(now: .now)
        _ = m.receive(line(":srv CAP * LS :"), now: .now)
        _ = m.receive(line(":srv 001 tocsin :Welcome"), now: .now)
        #expect(m.receive(line(":srv 422 tocsin :No MOTD"), now: .now).isReady)
    }

    @Test func readyAfterTimeoutWhenARoomNeverAnswers() {
        var s = Session(config(), joinRooms: false)
        #expect(!s.tick(after: .seconds(5)).isReady)
        #expect(s.tick(after: .seconds(11)).isReady)
    }

    @Test func answersPingImmediately() {
        var s = Session(config())
        #expect(s.receive("PING :irc.example.org").written == ["PONG irc.example.org"])
    }

    @Test func sendsOwnPingWhenIdleAndClosesWhenDead() {
        var s = Session(config())
        #expect(s.tick(after: .seconds(89)).written.isEmpty)
        #expect(s.tick(after: .seconds(1)).written == ["PING tocsin"])
        #expect(s.tick(after: .seconds(60)).written.isEmpty)  // only one outstanding
        let dead = s.tick(after: .seconds(90))
        #expect(dead.contains { if case .close = $0 { true } else { false } })
        #expect(s.machine.isClosed)
    }

    @Test func anyTrafficResetsTheLivenessTimers() {
        var s = Session(config())
        s.clock.advance(.seconds(200))
        _ = s.receive(":srv NOTICE tocsin :hello")
        #expect(!s.tick(after: .seconds(60)).contains { if case .close = $0 { true } else { false } })
    }

    @Test func registrationTimeoutCloses() {
        var m = IRCClientStateMachine(configuration: config(), now: .now)
        let t0 = ContinuousClock.now
        _ = m.connectionEstablished(now: t0)
        #expect(m.tick(now: t0 + .seconds(91)).contains { if case .close = $0 { true } else { false } })
    }

    @Test func errorFromServerCloses() {
        var s = Session(config())
        #expect(s.receive("ERROR :Closing link: (Excess Flood)").contains { if case .close = $0 { true } else { false } })
    }

    @Test func nickServIdentifyWhenNoSASLLogin() {
        var m = IRCClientStateMachine(configuration: config(rooms: [], nickServPassword: "pw"), now: .now)
        _ = m.connectionEstablished(now: .now)
        _ = m.receive(line(":srv 421 * CAP :Unknown command"), now: .now)
        _ = m.receive(line(":srv 001 tocsin :Welcome"), now: .now)
        let done = m.receive(line(":srv 376 tocsin :End"), now: .now)
        #expect(done.written == ["PRIVMSG NickServ :IDENTIFY tocsin pw"])
        #expect(!done.logText.contains("pw"))
    }

    @Test func noNickServIdentifyAfterSASLLogin() {
        let now = ContinuousClock.now
        var m = IRCClientStateMachine(configuration: config(rooms: [], sasl: .plain(account: "tocsin", password: "pw"), nickServPassword: "pw"), now: now)
        _ = m.connectionEstablished(now: now)
        _ = m.receive(line(":srv CAP * LS :sasl"), now: now)
        _ = m.receive(line(":srv CAP tocsin ACK :sasl"), now: now)
        _ = m.receive(line("AUTHENTICATE +"), now: now)
        _ = m.receive(line(":srv 900 tocsin tocsin!a@b tocsin :logged in"), now: now)
        _ = m.receive(line(":srv 903 tocsin :ok"), now: now)
        _ = m.receive(line(":srv 001 tocsin :Welcome"), now: now)
        #expect(m.receive(line(":srv 376 tocsin :End"), now: now).written.isEmpty)
    }

    @Test func periodicallyTriesToRegainTheConfiguredNick() {
        var m = IRCClientStateMachine(configuration: config(rooms: []), now: .now)
        var clock = VirtualClock()
        _ = m.connectionEstablished(now: clock.now)
        _ = m.receive(line(":srv CAP * LS :"), now: clock.now)
        _ = m.receive(line(":srv 433 * tocsin :in use"), now: clock.now)
        _ = m.receive(line(":srv 001 tocsin_1 :Welcome"), now: clock.now)
        _ = m.receive(line(":srv 376 tocsin_1 :End"), now: clock.now)
        #expect(m.nick == "tocsin_1")
        clock.advance(.seconds(61))
        #expect(m.tick(now: clock.now).written == ["NICK tocsin"])
        _ = m.receive(line(":srv 433 tocsin_1 tocsin :in use"), now: clock.now)
        // The holder quits: try at once.
        #expect(m.receive(line(":tocsin!x@y QUIT :bye"), now: clock.now).written == ["NICK tocsin"])
        _ = m.receive(line(":tocsin_1!~tocsin@host NICK tocsin"), now: clock.now)
        #expect(m.nick == "tocsin")
        clock.advance(.seconds(120))
        #expect(!m.tick(now: clock.now).written.contains("NICK tocsin"))
    }

    @Test func ctcpVersionPingTimeAreAnsweredByNoticeAndActionIgnored() {
        var s = Session(config())
        #expect(s.receive(":alice!a@h PRIVMSG tocsin :\u{1}VERSION\u{1}").written == ["NOTICE alice :\u{1}VERSION Tocsin incident gateway\u{1}"])
        #expect(s.receive(":alice!a@h PRIVMSG tocsin :\u{1}PING 12345\u{1}").written == ["NOTICE alice :\u{1}PING 12345\u{1}"])
        let time = s.receive(":alice!a@h PRIVMSG tocsin :\u{1}TIME\u{1}").written
        #expect(time.count == 1 && time[0].hasPrefix("NOTICE alice :\u{1}TIME "))
        let action = s.receive(":alice!a@h PRIVMSG #ops :\u{1}ACTION waves\u{1}")
        #expect(action.written.isEmpty && action.inbound.isEmpty)
    }

    @Test func ctcpTimeFormat() {
        #expect(IRCCTCPResponder.time(Date(timeIntervalSince1970: 1_700_000_000)) == "2023-11-14T22:13:20Z")
    }

    @Test func noticesAreNeverAnsweredOrPassedOn() {
        var s = Session(config())
        let out = s.receive(":alice!a@h NOTICE #ops :!ack 1")
        #expect(out.inbound.isEmpty && out.written.isEmpty)
    }
}

@Suite("Client state machine: inbound messages and identity")
struct InboundIdentityTests {
    @Test func channelMessageCarriesAccountFromAccountTag() {
        var s = Session(config())
        let out = s.receive("@account=Alice;msgid=abc123 :alice!a@h PRIVMSG #OPS :\u{2}!ack\u{2} 123")
        #expect(out.inbound == [InboundMessage(
            origin: .room("#ops", on: "libera"), senderName: "alice",
            identity: .irc(network: "libera", account: "alice"), text: "!ack 123",
            messageID: "abc123", botNames: ["tocsin"])])
    }

    @Test func accountTagAbsenceMeansNotLoggedIn() {
        var s = Session(config())
        _ = s.receive(":bob!b@h JOIN #ops alice_acct :Bob")  // extended-join says otherwise, the tag rules
        let out = s.receive(":bob!b@h PRIVMSG #ops :!ack 1").inbound
        #expect(out.count == 1)
        #expect(out[0].identity == nil)
        #expect(out[0].identityUnavailableReason?.contains("not logged in") == true)
    }

    @Test func privateMessagesAreDirect() {
        var s = Session(config())
        let out = s.receive("@account=alice :alice!a@h PRIVMSG tocsin :status").inbound
        #expect(out.first?.origin == ChatDestination(network: "libera", conversation: .direct("alice")))
        #expect(out.first?.isDirect == true)
    }

    @Test func ownMessagesAndEchoesAreNotPassedOn() {
        var s = Session(config())
        #expect(s.receive(":tocsin!~tocsin@bot.example.org PRIVMSG #ops :hello").inbound.isEmpty)
    }

    @Test func extendedJoinProvidesTheAccount() {
        var s = Session(config(), caps: "extended-join multi-prefix")
        _ = s.receive(":alice!a@h JOIN #ops alice :Alice")
        _ = s.receive(":carol!c@h JOIN #ops * :Carol")
        let alice = s.receive(":alice!a@h PRIVMSG #ops :!ack 5").inbound.first
        #expect(alice?.identity == .irc(network: "libera", account: "alice"))
        let carol = s.receive(":carol!c@h PRIVMSG #ops :!ack 5").inbound.first
        #expect(carol?.identity == nil)
        #expect(carol?.identityUnavailableReason?.contains("not logged in") == true)
    }

    @Test func accountNotifyUpdatesAndFollowsNickChanges() {
        var s = Session(config(), caps: "extended-join account-notify")
        _ = s.receive(":alice!a@h JOIN #ops * :Alice")
        _ = s.receive(":alice!a@h ACCOUNT alice")
        _ = s.receive(":alice!a@h NICK alice_away")
        #expect(s.receive(":alice_away!a@h PRIVMSG tocsin :hi").inbound.first?.identity == .irc(network: "libera", account: "alice"))
        _ = s.receive(":alice_away!a@h ACCOUNT *")
        #expect(s.receive(":alice_away!a@h PRIVMSG #ops :hi").inbound.first?.identity == nil)
    }

    @Test func accountIsForgottenWhenTheNickLeavesOurChannels() {
        var s = Session(config(), caps: "extended-join account-notify")
        _ = s.receive(":alice!a@h JOIN #ops alice :Alice")
        _ = s.receive(":alice!a@h PART #ops :bye")
        // Someone else takes the nick and writes privately: no inherited account.
        let out = s.receive(":alice!evil@elsewhere PRIVMSG tocsin :!resolve 1").inbound.first
        #expect(out?.identity == nil)
        #expect(out?.identityUnavailableReason?.contains("not known") == true)
    }

    @Test func quitForgetsTheAccount() {
        var s = Session(config(), caps: "extended-join")
        _ = s.receive(":alice!a@h JOIN #ops alice :Alice")
        _ = s.receive(":alice!a@h QUIT :bye")
        #expect(s.receive(":alice!x@y PRIVMSG tocsin :hi").inbound.first?.identity == nil)
    }

    @Test func whoxIsQueriedOnJoinAndFillsTheTable() {
        var s = Session(config(), caps: "multi-prefix", isupport: "CASEMAPPING=rfc1459 WHOX PREFIX=(ov)@+", joinRooms: false)
        let joined = s.receive(":tocsin!~tocsin@bot.example.org JOIN #ops")
        #expect(joined.written == ["WHO #ops %tna,611"])
        _ = s.receive(":srv 353 tocsin = #ops :tocsin @alice +bob")
        _ = s.receive(":srv 354 tocsin 611 alice alice")
        _ = s.receive(":srv 354 tocsin 611 bob 0")
        _ = s.receive(":srv 315 tocsin #ops :End of WHO")
        #expect(s.receive(":alice!a@h PRIVMSG #ops :!ack 2").inbound.first?.identity == .irc(network: "libera", account: "alice"))
        #expect(s.receive(":bob!b@h PRIVMSG #ops :!ack 2").inbound.first?.identityUnavailableReason?.contains("not logged in") == true)
    }

    @Test func noAccountMechanismMeansNoIdentity() {
        // ngIRCd: no CAP account features, no WHOX.
        var s = Session(config(), caps: "multi-prefix", isupport: "CASEMAPPING=ascii PREFIX=(qaohv)~&@%+")
        let out = s.receive(":alice!a@h PRIVMSG #ops :!ack 9").inbound.first
        #expect(out?.identity == nil)
        #expect(out?.identityUnavailableReason == "this IRC network offers no services accounts")
    }

    @Test func statusMessagePrefixIsStripped() {
        var s = Session(config())
        #expect(s.receive("@account=op :op!o@h PRIVMSG @#ops :!ack 1").inbound.first?.origin == .room("#ops", on: "libera"))
    }

    @Test func casemappingFoldsRoomNames() {
        var s = Session(config(rooms: [.init(name: "#ops{1}")]), isupport: "CASEMAPPING=rfc1459")
        #expect(s.receive(":alice!a@h PRIVMSG #OPS[1] :hi").inbound.first?.origin == .room("#ops{1}", on: "libera"))
        #expect(s.machine.rooms.isJoined("#Ops[1]"))
    }
}

@Suite("Client state machine: rooms")
struct RoomEventTests {
    @Test func allowedInvitationIsFollowed() {
        let policy = InvitePolicy(accept: true, roomPatterns: ["#ops-*"], inviters: [.irc(network: "libera", account: "alice")])
        var s = Session(config(invites: policy))
        let out = s.receive("@account=alice :alice!a@h INVITE tocsin #ops-db")
        #expect(out.written == ["JOIN #ops-db"])
        #expect(s.receive(":tocsin!~tocsin@bot.example.org JOIN #ops-db").isReady)
        #expect(s.machine.rooms.invitedRooms == [.init(name: "#ops-db")])
    }

    @Test func invitationFromUnverifiedOrUnlistedInviterIsRefused() {
        let policy = InvitePolicy(accept: true, roomPatterns: ["#ops-*"], inviters: [.irc(network: "libera", account: "alice")])
        var s = Session(config(invites: policy))
        #expect(s.receive(":alice!a@h INVITE tocsin #ops-db").written.isEmpty)  // no account tag: unverified
        #expect(s.receive("@account=mallory :mallory!m@h INVITE tocsin #ops-db").written.isEmpty)
        #expect(s.receive("@account=alice :alice!a@h INVITE tocsin #random").written.isEmpty)
    }

    @Test func invitationsAreOffByDefault() {
        var s = Session(config())
        #expect(s.receive("@account=alice :alice!a@h INVITE tocsin #ops-db").written.isEmpty)
    }

    @Test func inviteNotifyAboutSomeoneElseIsIgnored() {
        var s = Session(config(invites: InvitePolicy(accept: true)))
        #expect(s.receive(":alice!a@h INVITE bob #ops").written.isEmpty)
    }

    @Test func invitedRoomsAreRejoinedOnTheNextConnection() {
        var m = IRCClientStateMachine(configuration: config(), invitedRooms: [.init(name: "#ops-db")], now: .now)
        _ = m.connectionEstablished(now: .now)
        _ = m.receive(line(":srv CAP * LS :"), now: .now)
        _ = m.receive(line(":srv 001 tocsin :Welcome"), now: .now)
        #expect(m.receive(line(":srv 376 tocsin :End"), now: .now).written == ["JOIN #ops,#ops-db"])
    }

    @Test func kickMarksTheRoomLeftAndRejoinsAfterTheDelay() {
        var s = Session(config(rejoinAfterKick: .seconds(30)))
        let kicked = s.receive(":op!o@h KICK #ops tocsin :spam")
        #expect(kicked.logText.contains("kicked from #ops by op"))
        #expect(!s.machine.rooms.isJoined("#ops"))
        #expect(s.tick(after: .seconds(29)).written.isEmpty)
        #expect(s.tick(after: .seconds(1)).written == ["JOIN #ops"])
        #expect(s.receive(":tocsin!~tocsin@bot.example.org JOIN #ops").isReady)
    }

    @Test func kickWithoutRejoinStaysOut() {
        var s = Session(config(rejoinAfterKick: nil))
        _ = s.receive(":op!o@h KICK #ops tocsin :go away")
        #expect(s.tick(after: .seconds(3600)).written.filter { $0.hasPrefix("JOIN") }.isEmpty)
    }

    @Test func kickOfSomeoneElseOnlyUpdatesMembership() {
        var s = Session(config())
        _ = s.receive(":op!o@h KICK #ops alice :bye")
        #expect(s.machine.rooms.isJoined("#ops"))
    }

    @Test func refusedJoinIsRetriedWithBackoff() {
        var s = Session(config(), joinRooms: false)
        let refused = s.receive(":srv 474 tocsin #ops :Cannot join channel (+b)")
        #expect(refused.logText.contains("banned"))
        #expect(refused.logText.contains("retrying in 30s"))
        #expect(s.tick(after: .seconds(29)).written.isEmpty)
        #expect(s.tick(after: .seconds(1)).written == ["JOIN #ops"])
        let again = s.receive(":srv 475 tocsin #ops :Cannot join channel (+k)")
        #expect(again.logText.contains("retrying in 60s"))
        #expect(s.tick(after: .seconds(59)).written.isEmpty)
        #expect(s.tick(after: .seconds(1)).written == ["JOIN #ops"])
    }
}

@Suite("Client state machine: silent server")
struct SilentServerTests {
    @Test func silenceAfterConnectingClosesWithAHint() {
        let t0 = ContinuousClock.now
        var m = IRCClientStateMachine(configuration: config(), now: t0)
        _ = m.connectionEstablished(now: t0)
        let out = m.tick(now: t0 + .seconds(30))
        #expect(out.contains(.close(reason: "the server sent nothing within 30s (with tls.mode implicit this usually means the port is not a TLS port)")))
    }
}
