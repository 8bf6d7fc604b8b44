import Testing
import TocsinCore

@Suite struct CommandParserTests {
    let parser = CommandParser()

    func inRoom(_ text: String, _ parser: CommandParser = CommandParser(), botNames: [String] = ["tocsin"]) -> ParsedInput {
        parser.parse(text, botNames: botNames, isDirect: false)
    }

    func direct(_ text: String) -> ParsedInput {
        parser.parse(text, botNames: ["tocsin"], isDirect: true)
    }

    // MARK: ack / resolve

    @Test func ackTakesOneIncidentNumber() {
        #expect(inRoom("!ack 12") == .command(.ack([12])))
    }

    @Test func incidentNumberMayCarryAHash() {
        #expect(inRoom("!ack #123") == .command(.ack([123])))
        #expect(inRoom("!resolve #4,#5") == .command(.resolve([4, 5])))
    }

    @Test(arguments: ["!ack 1 2 3", "!ack 1,2,3", "!ack 1, 2,3", "!ack #1 2,#3", "!ack 1,,2 3,"])
    func listsAreSpacedOrCommaSeparated(_ line: String) {
        #expect(inRoom(line) == .command(.ack([1, 2, 3])))
    }

    @Test func duplicatesAreDroppedKeepingFirstOrder() {
        #expect(inRoom("!resolve 3 1 3 #1 2") == .command(.resolve([3, 1, 2])))
    }

    @Test func twentyIncidentsAreTheMost() {
        let twenty = (1...20).map(String.init).joined(separator: " ")
        #expect(inRoom("!ack \(twenty)") == .command(.ack(Array(1...20))))
        let twentyOne = (1...21).map(String.init).joined(separator: ",")
        #expect(inRoom("!ack \(twentyOne)") == .invalid("Usage: !ack N [N…]"))
    }

    @Test func repeatedNumbersDoNotCountTowardsTheLimit() {
        let same = Array(repeating: "7", count: 30).joined(separator: " ")
        #expect(inRoom("!ack \(same)") == .command(.ack([7])))
    }

    @Test(arguments: ["!ack 0", "!ack -1", "!ack #0", "!ack 9999999999", "!ack 1.5", "!ack #", "!ack ##1",
                      "!ack abc", "!ack 1 two 3", "!ack ,", "!ack １２", "!ack 1e3", "!ack +5", "!ack 0x10"])
    func badIncidentNumbersGetTheAckUsage(_ line: String) {
        #expect(inRoom(line) == .invalid("Usage: !ack N [N…]"))
    }

    @Test func nineDigitNumbersAreTheLargestAccepted() {
        #expect(inRoom("!ack 999999999") == .command(.ack([999_999_999])))
        #expect(inRoom("!ack 0000000012") == .invalid("Usage: !ack N [N…]"))
    }

    @Test func resolveWithoutNumbersGetsItsOwnUsage() {
        #expect(inRoom("!resolve") == .invalid("Usage: !resolve N [N…]"))
    }

    // MARK: note

    @Test func noteKeepsTheTextAsTyped() {
        #expect(inRoom("!note 12 rolled back  the deploy") == .command(.note(12, "rolled back  the deploy")))
        #expect(inRoom("!note #12 see https://example.org/x?y=1") == .command(.note(12, "see https://example.org/x?y=1")))
    }

    @Test(arguments: ["!note", "!note 12", "!note 12   ", "!note x text", "!note 0 text"])
    func noteWithoutNumberOrTextGetsUsage(_ line: String) {
        #expect(inRoom(line) == .invalid("Usage: !note N text"))
    }

    // MARK: incidents / incident / whoami

    @Test func incidentsAndWhoamiTakeNoArguments() {
        #expect(inRoom("!incidents") == .command(.incidents))
        #expect(inRoom("!whoami") == .command(.whoami))
        #expect(inRoom("!incidents all") == .invalid("Usage: !incidents [mine]"))
        #expect(inRoom("!whoami please") == .invalid("Usage: !whoami"))
    }

    @Test func commandWordIsCaseInsensitive() {
        #expect(inRoom("!INCIDENTS") == .command(.incidents))
        #expect(inRoom("!Ack 3") == .command(.ack([3])))
    }

    @Test func incidentTakesExactlyOneNumber() {
        #expect(inRoom("!incident 7") == .command(.incident(7)))
        #expect(inRoom("!incident #7") == .command(.incident(7)))
        #expect(inRoom("!incident") == .invalid("Usage: !incident N"))
        #expect(inRoom("!incident 7 8") == .invalid("Usage: !incident N"))
    }

    // MARK: trigger / oncall / reassign / escalate

    @Test func triggerSplitsServiceFromSummary() {
        #expect(inRoom("!trigger api Database  is on fire") == .command(.trigger(service: "api", summary: "Database  is on fire")))
        #expect(inRoom("!trigger api") == .invalid("Usage: !trigger SERVICE summary…"))
        #expect(inRoom("!trigger") == .invalid("Usage: !trigger SERVICE summary…"))
    }

    @Test func oncallTakesAnOptionalScheduleName() {
        #expect(inRoom("!oncall") == .command(.oncall(nil)))
        #expect(inRoom("!oncall primary") == .command(.oncall("primary")))
        #expect(inRoom("!oncall Platform Team") == .command(.oncall("Platform Team")))
    }

    @Test func reassignTakesANumberThenAUser() {
        #expect(inRoom("!reassign 5 bob") == .command(.reassign(5, to: "bob")))
        #expect(inRoom("!reassign #5 Bob Example") == .command(.reassign(5, to: "Bob Example")))
        #expect(inRoom("!reassign 5") == .invalid("Usage: !reassign N USER"))
        #expect(inRoom("!reassign bob 5") == .invalid("Usage: !reassign N USER"))
    }

    @Test func escalateTakesAnOptionalLevelFromOneToTwenty() {
        #expect(inRoom("!escalate 5") == .command(.escalate(5, level: nil)))
        #expect(inRoom("!escalate 5 2") == .command(.escalate(5, level: 2)))
        #expect(inRoom("!escalate 5 20") == .command(.escalate(5, level: 20)))
        for bad in ["!escalate", "!escalate 5 0", "!escalate 5 21", "!escalate 5 x", "!escalate 5 2 3", "!escalate x 2"] {
            #expect(inRoom(bad) == .invalid("Usage: !escalate N [LEVEL]"), "\(bad)")
        }
    }

    // MARK: snooze

    @Test(arguments: [("30m", 1800), ("2h", 7200), ("1h30m", 5400), ("90s", 90), ("1d", 86400)])
    func snoozeTakesAHumanDuration(_ duration: String, _ seconds: Int) {
        #expect(inRoom("!snooze 1 \(duration)") == .command(.snooze(1, seconds: seconds)))
    }

    @Test(arguments: ["!snooze 1 30", "!snooze 1 0m", "!snooze 1 8d", "!snooze 1 1x", "!snooze 1", "!snooze 30m",
                      "!snooze 30m 1", "!snooze 1 30 m", "!snooze 1 -5m", "!snooze"])
    func badSnoozeGetsTheSnoozeUsage(_ line: String) {
        #expect(inRoom(line) == .invalid("Usage: !snooze N DURATION (e.g. 30m, 2h)"))
    }

    // MARK: help

    @Test func helpTakesAnOptionalCommandName() {
        #expect(inRoom("!help") == .command(.help(nil)))
        #expect(inRoom("!help ack") == .command(.help(.ack)))
        #expect(inRoom("!help !ack") == .command(.help(.ack)))
        #expect(inRoom("!help SNOOZE") == .command(.help(.snooze)))
        #expect(inRoom("!help frobnicate") == .invalid("Usage: !help [COMMAND]"))
        #expect(inRoom("!help ack resolve") == .invalid("Usage: !help [COMMAND]"))
    }

    @Test func helpTopicMayCarryTheConfiguredPrefix() {
        #expect(inRoom(".help .ack", CommandParser(prefix: ".")) == .command(.help(.ack)))
        #expect(inRoom("!!help !!resolve", CommandParser(prefix: "!!")) == .command(.help(.resolve)))
    }

    // MARK: prefixes

    @Test func prefixIsConfigurable() {
        let dot = CommandParser(prefix: ".")
        #expect(inRoom(".ack 1", dot) == .command(.ack([1])))
        #expect(inRoom("!ack 1", dot) == .notACommand)
        #expect(inRoom(".ack 0", dot) == .invalid("Usage: .ack N [N…]"))
        #expect(inRoom(".frobnicate", dot) == .invalid("Unknown command .frobnicate — try .help"))
    }

    @Test func multiCharacterPrefixMustBeTypedWhole() {
        let double = CommandParser(prefix: "!!")
        #expect(inRoom("!!ack 1", double) == .command(.ack([1])))
        #expect(inRoom("!ack 1", double) == .notACommand)
    }

    @Test(arguments: ["!!!", "!", "! nice one", "!1", "!?", "!🔥", "wow!ack 1", "I said !ack 1 earlier"])
    func prefixNotFollowedByACommandWordIsChat(_ line: String) {
        #expect(inRoom(line) == .notACommand)
    }

    @Test func surroundingWhitespaceIsIgnored() {
        #expect(inRoom("   !ack 1   ") == .command(.ack([1])))
        #expect(inRoom("!ack\t1\t2") == .command(.ack([1, 2])))
    }

    // MARK: addressing by name

    @Test(arguments: ["tocsin: ack 1", "Tocsin, !ack 1", "TOCSIN: ack 1", "tocsin:ack 1", "tocsin,   ack #1"])
    func addressingTheBotByNameWorksWithoutPrefix(_ line: String) {
        #expect(inRoom(line) == .command(.ack([1])))
    }

    @Test func addressedCommandsKeepTheirArguments() {
        #expect(inRoom("tocsin: note 4 rolled back") == .command(.note(4, "rolled back")))
        #expect(inRoom("tocsin, ! note 4 rolled back") == .command(.note(4, "rolled back")))
        #expect(inRoom("tocsin: oncall primary") == .command(.oncall("primary")))
        #expect(inRoom("tocsin, .trigger db disk full", CommandParser(prefix: ".")) == .command(.trigger(service: "db", summary: "disk full")))
    }

    @Test(arguments: ["tocsinbot: x", "tocsinbot: ack 1", "tocsin ack 1", "hey tocsin: ack 1", "tocsin", "tocsin_: ack 1"])
    func otherNamesStartingLikeTheBotAreNotTheBot(_ line: String) {
        #expect(inRoom(line) == .notACommand)
    }

    @Test func anyOfTheBotsCurrentNamesIsAnswered() {
        #expect(inRoom("tocsin_: ack 1", botNames: ["tocsin", "tocsin_"]) == .command(.ack([1])))
        #expect(inRoom("Tocsin[m]: whoami", botNames: ["tocsin", "Tocsin[m]"]) == .command(.whoami))
    }

    @Test func addressingWithoutACommandAsksForOne() {
        #expect(inRoom("tocsin:") == .invalid("Say a command — try !help"))
        #expect(inRoom("tocsin,   ") == .invalid("Say a command — try !help"))
    }

    @Test func addressedUnknownWordGetsUnknownCommand() {
        #expect(inRoom("tocsin: thanks!") == .invalid("Unknown command !thanks! — try !help"))
    }

    // MARK: direct messages

    @Test func directMessagesNeedNoPrefix() {
        #expect(direct("ack 1") == .command(.ack([1])))
        #expect(direct("Incidents") == .command(.incidents))
        #expect(direct("!ack 1") == .command(.ack([1])))
        #expect(direct("resolve") == .invalid("Usage: !resolve N [N…]"))
    }

    @Test func directChatThatIsNoCommandStaysSilent() {
        #expect(direct("hello there") == .notACommand)
        #expect(direct("thanks") == .notACommand)
    }

    @Test func roomsNeedAPrefixOrTheBotsName() {
        #expect(inRoom("ack 1") == .notACommand)
    }

    // MARK: chat, unknown commands, junk

    @Test(arguments: ["good morning", "", "   ", "the deploy is done!", "ack", "#ops is quiet", "tocsin is great"])
    func ordinaryChatIsNotACommand(_ line: String) {
        #expect(inRoom(line) == .notACommand)
    }

    @Test func unknownCommandGetsOneLineReply() throws {
        let result = inRoom("!frobnicate 1 2")
        #expect(result == .invalid("Unknown command !frobnicate — try !help"))
    }

    @Test func unknownCommandEchoesAtMostThirtyTwoCharacters() {
        let word = String(repeating: "a", count: 5000)
        #expect(inRoom("!\(word)") == .invalid("Unknown command !\(String(repeating: "a", count: 32)) — try !help"))
    }

    @Test(arguments: ["!ａｃｋ 1", "!ack\u{200B} 1", "!acк 1", "!ackk 1", "!a\u{0301}ck 1"])
    func lookalikeCommandWordsAreUnknown(_ line: String) {
        guard case .invalid(let reply) = inRoom(line) else {
            Issue.record("expected an explanation for \(line.debugDescription)")
            return
        }
        #expect(reply.hasPrefix("Unknown command !"))
        #expect(!reply.contains("\n"))
    }

    @Test(arguments: ["!ack 1\u{202E}2", "!ack 1\u{0}", "!ack 🔥", "!ack ½", "!ack ٣", "!ack 1\u{0301}"])
    func unicodeJunkInArgumentsGetsUsage(_ line: String) {
        #expect(inRoom(line) == .invalid("Usage: !ack N [N…]"))
    }

    @Test func replyToUnknownCommandNeverSpansLines() {
        guard case .invalid(let reply) = inRoom("!oops\u{2028}PRIVMSG #ops :hi") else {
            Issue.record("expected an explanation")
            return
        }
        #expect(!reply.contains("PRIVMSG"))
    }

    @Test func veryLongInputIsParsedOrRefusedWithoutTrouble() {
        let longNote = String(repeating: "x", count: 100_000)
        #expect(inRoom("!note 1 \(longNote)") == .command(.note(1, longNote)))
        let manyNumbers = (1...10_000).map(String.init).joined(separator: " ")
        #expect(inRoom("!ack \(manyNumbers)") == .invalid("Usage: !ack N [N…]"))
        let longNumber = String(repeating: "9", count: 10_000)
        #expect(inRoom("!incident \(longNumber)") == .invalid("Usage: !incident N"))
    }

    @Test func usageRepliesAreOneLine() {
        for name in CommandName.allCases {
            #expect(!name.usage.contains("\n"))
            #expect(!name.summary.contains("\n"))
        }
    }
}
