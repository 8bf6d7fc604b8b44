import Foundation
import Testing
import TocsinCore

/// The greeting and `!help` say when a room is recorded, and say nothing when it is not
/// (issue 13, item 3: people should know what is kept about what they say in a room).
@Suite struct RecordingDisclosureTests {
    typealias F = Fixtures
    static let team = ChatDestination.room("#team", on: Fixtures.network)
    static let quiet = ChatDestination.room("#quiet", on: Fixtures.network)
    static let warRoom = ChatDestination.room("#war", on: Fixtures.network)
    /// Invited rooms use the default (mentions); #quiet is off; #war records everything.
    static let rules = RecordingRules(modes: [quiet: .off, warRoom: .all], defaultMode: .mentions)

    func greeting(in destination: ChatDestination, recording: RecordingRules?) -> RichText {
        let room = InvitedRoom(destination: destination, inviter: F.alice, inviterName: "alice", invitedAt: F.epoch)
        return RoomGreeter(policy: AuthorizationPolicy(), supported: Set(CommandName.allCases), backendName: "the embedded store",
                           prefix: "!", router: Router(rules: []), recording: recording).greeting(for: room)
    }

    func help(in destination: ChatDestination, recording: RecordingRules?) async -> String? {
        var handler = CommandHandler(parser: CommandParser(), policy: AuthorizationPolicy(), service: FakeIncidentService())
        handler.recording = recording.map(RecordingRulesSource.init)
        return await handler.handle(F.message("!help", in: destination, identity: F.alice))?.plainText
    }

    @Test func theGreetingOfARecordedRoomSaysWhatIsKeptOnOneLine() {
        let text = greeting(in: Self.team, recording: Self.rules)
        #expect(text.lines.count == 1)
        #expect(text.plainText.contains("Recorded here: \(RecordMode.mentions.disclosure!)"))
        #expect(greeting(in: Self.warRoom, recording: Self.rules).plainText.contains("Recorded here: \(RecordMode.all.disclosure!)"))
    }

    @Test func theGreetingSaysNothingOfRecordingWhereItIsOff() {
        #expect(!greeting(in: Self.quiet, recording: Self.rules).plainText.contains("Recorded"))
        #expect(!greeting(in: Self.team, recording: nil).plainText.contains("Recorded"))
    }

    @Test func helpInARecordedRoomSaysWhatIsKept() async {
        let team = await help(in: Self.team, recording: Self.rules)
        #expect(team?.hasSuffix("recorded here: \(RecordMode.mentions.disclosure!)") == true)
        let war = await help(in: Self.warRoom, recording: Self.rules)
        #expect(war?.hasSuffix("recorded here: \(RecordMode.all.disclosure!)") == true)
    }

    @Test func helpSaysNothingOfRecordingWhereItIsOffOrInPrivate() async {
        let quiet = await help(in: Self.quiet, recording: Self.rules)
        #expect(quiet?.hasPrefix("Commands: ") == true)
        #expect(quiet?.contains("recorded") == false)
        #expect(await help(in: Self.team, recording: nil)?.contains("recorded") == false)
        // Direct conversations are never recorded.
        var handler = CommandHandler(parser: CommandParser(), policy: AuthorizationPolicy(), service: FakeIncidentService())
        handler.recording = RecordingRulesSource(Self.rules)
        let direct = await handler.handle(F.direct("!help"))?.plainText
        #expect(direct?.hasPrefix("Commands: ") == true)
        #expect(direct?.contains("recorded") == false)
    }
}
