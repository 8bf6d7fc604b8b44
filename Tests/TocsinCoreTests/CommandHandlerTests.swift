import Foundation
import Testing
import TocsinCore

@Suite struct CommandHandlerTests {
    typealias F = Fixtures
    static let identities: [ChatIdentity: String] = [Fixtures.alice: "alice@example.org"]
    let alice = Actor(email: "alice@example.org")

    func handler(
        _ service: FakeIncidentService = FakeIncidentService(), prefix: String = "!",
        policy: AuthorizationPolicy = AuthorizationPolicy(identities: identities)
    ) -> CommandHandler {
        CommandHandler(parser: CommandParser(prefix: prefix), policy: policy, service: service)
    }

    func reply(_ text: String, _ handler: CommandHandler, identity: ChatIdentity? = Fixtures.alice) async -> String? {
        await handler.handle(F.message(text, identity: identity))?.plainText
    }

    // MARK: lines not for the bot, bad lines

    @Test func ordinaryChatGetsNoReplyAndNoCall() async {
        let service = FakeIncidentService()
        #expect(await reply("ack 1 please, anyone?", handler(service)) == nil)
        #expect(await reply("", handler(service)) == nil)
        #expect(await service.calls.isEmpty)
    }

    @Test(arguments: ["!frobnicate", "!resolve", "!ack x", "!snooze 1 30", "!help nothing", "tocsin:", "tocsin: hi",
                      "!incident 1 2", "!escalate 1 99", "!ack \((1...25).map(String.init).joined(separator: " "))"])
    func everyLineMeantForTheBotGetsAReply(_ line: String) async {
        let service = FakeIncidentService()
        let text = await reply(line, handler(service))
        #expect(text?.isEmpty == false)
        #expect(await service.calls.isEmpty)
    }

    @Test func unknownCommandPointsToHelp() async {
        #expect(await reply("!frobnicate 1", handler()) == "Unknown command !frobnicate — try !help")
    }

    @Test func badArgumentsGetTheUsage() async {
        #expect(await reply("!ack x", handler()) == "Usage: !ack N [N…]")
        #expect(await reply(".ack x", handler(prefix: ".")) == "Usage: .ack N [N…]")
    }

    // MARK: refusals

    @Test func refusalIsExplainedAndNothingIsCalled() async {
        let service = FakeIncidentService()
        let reply = await handler(service).handle(F.message("!ack 1", identity: nil))
        #expect(reply?.lines.first?.first == .tone(.warning, "Refused: "))
        #expect(reply?.plainText.hasPrefix("Refused: !ack needs a verified identity") == true)
        #expect(await service.calls.isEmpty)
    }

    @Test func refusalFromRoomPolicyNamesTheCommand() async {
        let policy = AuthorizationPolicy(rooms: [F.ops: RoomPolicy(allowedCommands: [.incidents])], identities: Self.identities)
        #expect(await reply("!resolve 2", handler(policy: policy)) == "Refused: !resolve is not enabled here")
    }

    @Test func unmappedIdentityRefusalMentionsIdentitiesSection() async {
        let text = await reply("!ack 1", handler(), identity: .irc(network: F.network, account: "mallory"))
        #expect(text?.hasPrefix("Refused: irc:libera/mallory is not mapped") == true)
        #expect(text?.contains("identities:") == true)
    }

    // MARK: backend support and failures

    @Test func unsupportedCommandSaysWhichBackend() async {
        let service = FakeIncidentService(backendName: "the embedded store", supportedCommands: [.ack, .incidents])
        #expect(await reply("!oncall", handler(service)) == "the embedded store does not support !oncall")
        #expect(await reply(".oncall", handler(service, prefix: ".")) == "the embedded store does not support .oncall")
        #expect(await service.calls.isEmpty)
    }

    @Test func refusalComesBeforeTheUnsupportedReply() async {
        let service = FakeIncidentService(supportedCommands: [])
        let text = await reply("!ack 1", handler(service), identity: nil)
        #expect(text?.hasPrefix("Refused:") == true)
    }

    @Test func apiRefusalIsRelayedWithItsReason() async {
        let service = FakeIncidentService(failure: IncidentServiceError.rejected(status: 403, message: "User lacks the Responder role"))
        let text = await reply("!ack 1", handler(service))
        #expect(text == "Failed: !ack: the incident API refused (403): User lacks the Responder role")
    }

    @Test(arguments: [
        (IncidentServiceError.unavailable("connection refused"), "Failed: !incidents: the incident API is unavailable: connection refused"),
        (.notFound(number: 9), "Failed: !incidents: incident #9 does not exist"),
        (.invalidArgument("limit too large"), "Failed: !incidents: limit too large"),
    ])
    func serviceErrorsBecomeOneLineFailures(_ error: IncidentServiceError, _ expected: String) async {
        #expect(await reply("!incidents", handler(FakeIncidentService(failure: error))) == expected)
    }

    @Test func unexpectedErrorsAreNotLeakedToTheRoom() async {
        struct DatabaseLocked: Error, CustomStringConvertible { var description: String { "SQLITE_BUSY at /var/lib/secret.db" } }
        let reply = await handler(FakeIncidentService(failure: DatabaseLocked())).handle(F.message("!ack 1"))
        #expect(reply?.plainText == "Failed: !ack: internal error, see Tocsin's log")
        #expect(reply?.lines.first?.first == .tone(.critical, "Failed: "))
    }

    // MARK: state changes

    @Test func ackRunsAsTheMappedUser() async {
        let service = FakeIncidentService()
        _ = await reply("!ack 1 2 3", handler(service))
        #expect(await service.calls == [.acknowledge([1, 2, 3], alice)])
    }

    @Test func ackOfOneIncidentNamesIt() async {
        #expect(await reply("!ack 4", handler()) == "Acknowledged #4 API latency · api (platform) · high")
    }

    @Test func resolveOfSeveralListsTheirNumbers() async {
        #expect(await reply("!resolve 1,2", handler()) == "Resolved #1, #2")
    }

    @Test func mixedOutcomesAreReportedInOneReply() async {
        let service = FakeIncidentService(outcomes: [
            2: .unchanged(F.incident(2, status: .acknowledged)),
            3: .failed(number: 3, .notFound(number: 3)),
        ])
        let reply = await handler(service).handle(F.message("!ack 1 2 3"))
        #expect(reply?.lines.count == 1)
        #expect(reply?.plainText == "Acknowledged #1 API latency; #2 already acknowledged; Failed: !ack: incident #3 does not exist")
        #expect(reply?.lines.first?.suffix(2) == [.tone(.warning, "Failed: "), .plain("!ack: incident #3 does not exist")])
    }

    @Test func allUnchangedSaysSo() async {
        let service = FakeIncidentService(outcomes: [
            1: .unchanged(F.incident(1, status: .resolved)), 2: .unchanged(F.incident(2, status: .resolved)),
        ])
        #expect(await reply("!resolve 1 2", handler(service)) == "#1, #2 already resolved")
    }

    @Test func everyFailureIsListed() async {
        let service = FakeIncidentService(outcomes: [
            1: .failed(number: 1, .invalidTransition(number: 1, from: .resolved, to: "acknowledge")),
            2: .failed(number: 2, .notFound(number: 2)),
        ])
        #expect(await reply("!ack 1 2", handler(service)) == "Failed: !ack: #1 is resolved, cannot acknowledge it; incident #2 does not exist")
    }

    @Test func noteIsAddedAsTheMappedUser() async {
        let service = FakeIncidentService()
        #expect(await reply("!note 7 rolled back 1.4.2", handler(service)) == "Note added to #7 API latency: rolled back 1.4.2 · api (platform) · high")
        #expect(await service.calls == [.addNote(7, "rolled back 1.4.2", alice)])
    }

    @Test func triggerOpensAnIncident() async {
        let service = FakeIncidentService()
        #expect(await reply("!trigger db disk almost full", handler(service))?.hasPrefix("Triggered #77 disk almost full · db") == true)
        #expect(await service.calls == [.trigger(service: "db", title: "disk almost full", alice)])
    }

    @Test func reassignAndEscalateAndSnoozeReportTheResult() async {
        let service = FakeIncidentService()
        let handler = handler(service)
        #expect(await reply("!reassign 5 bob", handler)?.hasPrefix("Reassigned #5 API latency → Bob Example · ") == true)
        #expect(await reply("!escalate 5", handler)?.hasPrefix("Escalated #5 API latency → level 2 · ") == true)
        #expect(await reply("!escalate 5 3", handler)?.hasPrefix("Escalated #5 API latency → level 3 · ") == true)
        #expect(await reply("!snooze 5 1h30m", handler)?.hasPrefix("Snoozed #5 API latency for 1h30m · ") == true)
        #expect(await service.calls == [
            .reassign(5, to: "bob", alice), .escalate(5, level: nil, alice), .escalate(5, level: 3, alice),
            .snooze(5, seconds: 5400, alice),
        ])
    }

    // MARK: reading

    @Test func emptyIncidentListSaysSo() async {
        let service = FakeIncidentService()
        #expect(await reply("!incidents", handler(service), identity: nil) == "No open incidents.")
        #expect(await service.calls == [.openIncidents(limit: AnnouncementFormatter.defaultListLimit)])
    }

    @Test func incidentListPacksSeveralIncidentsPerLineNewestFirstWithAgeStatusAndAssignee() async {
        let page = IncidentPage(incidents: [F.incident(2, title: "B"), F.incident(1, title: "A", status: .acknowledged, assignee: "bob")],
                                more: true)
        var handler = handler(FakeIncidentService(openPage: page))
        handler.now = { F.epoch.addingTimeInterval(300) }
        let reply = await handler.handle(F.message("!incidents"))
        #expect(reply?.lines.count == 1)
        #expect(reply?.plainText == "Open: #2 B (5 m, triggered) · #1 A (5 m, acked, bob) — and more")
    }

    @Test func incidentDetailsShowTheLastThreeNotes() async {
        let notes = (1...5).map { IncidentNote(author: "user\($0)", content: "note \($0)", createdAt: F.epoch) }
        let reply = await handler(FakeIncidentService(notes: notes)).handle(F.message("!incident 8", identity: nil))
        let lines = reply?.plainText.split(separator: "\n").map(String.init) ?? []
        #expect(lines.count == 5)
        #expect(lines.first == "#8 API latency")
        #expect(lines.suffix(3) == ["note by user3: note 3", "note by user4: note 4", "note by user5: note 5"])
    }

    @Test func oncallListsEachShift() async {
        let entries = [OnCallEntry(scope: "primary", user: "Alice", escalationLevel: 1),
                       OnCallEntry(scope: "primary", user: "Bob", escalationLevel: 2)]
        let service = FakeIncidentService(onCallEntries: entries)
        #expect(await reply("!oncall primary", handler(service)) == "Alice on call for primary (level 1)\nBob on call for primary (level 2)")
        #expect(await service.calls == [.onCall("primary")])
    }

    @Test func nobodyOnCallIsSaid() async {
        #expect(await reply("!oncall primary", handler()) == "Nobody is on call for primary.")
        #expect(await reply("!oncall", handler()) == "Nobody is on call.")
    }

    // MARK: whoami, help

    @Test func whoamiShowsIdentityAndMapping() async {
        #expect(await reply("!whoami", handler()) == "alice: irc:libera/alice, acting as alice@example.org")
        #expect(await reply("!whoami", handler(), identity: F.bob) == "alice: irc:libera/bob, not mapped to an incident-platform user")
    }

    @Test func whoamiExplainsAMissingIdentity() async {
        let message = F.message("!whoami", identity: nil, identityUnavailableReason: "this room is anonymous")
        #expect(await handler().handle(message)?.plainText == "alice: not verified (this room is anonymous)")
        #expect(await reply("!whoami", handler(), identity: nil) == "alice: not verified (no services account)")
    }

    @Test func whoamiAndHelpWorkWhateverTheBackendSupports() async {
        let service = FakeIncidentService(supportedCommands: [])
        #expect(await reply("!whoami", handler(service))?.hasPrefix("alice: irc:libera/alice") == true)
        #expect(await reply("!help", handler(service)) == "Commands: !whoami !help — !help COMMAND for details")
    }

    @Test func helpListsOnlyCommandsAllowedHereAndSupported() async {
        let policy = AuthorizationPolicy(rooms: [F.ops: RoomPolicy(allowedCommands: [.ack, .incidents, .oncall])])
        let service = FakeIncidentService(supportedCommands: [.ack, .resolve, .incidents])
        let reply = await handler(service, policy: policy).handle(F.message("!help"))
        #expect(reply?.plainText == "Commands: !ack !incidents !help — !help COMMAND for details")
        #expect(reply?.lines.first?.contains(.code("!ack !incidents !help")) == true)
    }

    @Test func helpInAnotherRoomFollowsThatRoomsPolicy() async {
        let policy = AuthorizationPolicy(rooms: [F.ops: RoomPolicy(allowedCommands: [.ack])],
                                         defaultRoomPolicy: RoomPolicy(allowedCommands: [.incidents, .whoami]))
        let reply = await handler(policy: policy).handle(F.message("!help", in: .room("#elsewhere", on: F.network)))
        #expect(reply?.plainText == "Commands: !incidents !whoami !help — !help COMMAND for details")
    }

    @Test func helpUsesTheConfiguredPrefix() async {
        let text = await reply(".help", handler(prefix: "."))
        #expect(text?.hasPrefix("Commands: .ack .resolve .note") == true)
        #expect(text?.hasSuffix(" — .help COMMAND for details") == true)
    }

    @Test func helpOnOneCommandShowsUsageAndAccess() async {
        #expect(await reply("!help ack", handler()) == "!ack N [N…] — acknowledge incidents (no number: the triggered ones assigned to you) (needs a verified, mapped identity)")
        #expect(await reply("!help incidents", handler()) == "!incidents [mine] — list open incidents, newest first (mine: assigned to you)")
    }

    @Test func directMessagesNeedNoPrefix() async {
        let service = FakeIncidentService()
        let reply = await handler(service).handle(F.direct("ack 3"))
        #expect(reply?.plainText == "Acknowledged #3 API latency · api (platform) · high")
        #expect(await service.calls == [.acknowledge([3], alice)])
    }
}
