import IRC
import Testing

@Suite struct IRCLineSplitterTests {
    /// Checks the guarantees every split must keep.
    private func checkInvariants(_ chunks: [String], of text: String, budget: Int) {
        for chunk in chunks {
            #expect(!chunk.isEmpty)
            #expect(chunk.utf8.count <= budget, "\(chunk.utf8.count) > \(budget)")
        }
        // Nothing but the spaces at cuts is lost.
        let kept = chunks.joined().filter { $0 != " " }
        #expect(kept == text.filter { $0 != " " })
    }

    @Test func textThatFitsIsOneUnchangedChunk() {
        #expect(IRCLineSplitter.split("  hello world  ", budget: 100) == ["  hello world  "])
        #expect(IRCLineSplitter.split("exact", budget: 5) == ["exact"])
    }

    @Test func emptyTextGivesNoChunks() {
        #expect(IRCLineSplitter.split("", budget: 10).isEmpty)
        #expect(IRCLineSplitter.split("abc", budget: 0).isEmpty)
    }

    @Test func cutsAtTheLastSpaceThatFits() {
        let chunks = IRCLineSplitter.split("the quick brown fox jumps over", budget: 12)
        #expect(chunks == ["the quick", "brown fox", "jumps over"])
    }

    @Test func spaceRightAfterAFullChunkIsUsed() {
        #expect(IRCLineSplitter.split("aaaa bbbb", budget: 4) == ["aaaa", "bbbb"])
    }

    @Test func runsOfSpacesAtACutAreDropped() {
        #expect(IRCLineSplitter.split("aaa     bbb", budget: 5) == ["aaa", "bbb"])
    }

    @Test func wordLongerThanTheBudgetIsCutHard() {
        let chunks = IRCLineSplitter.split("abcdefghij klm", budget: 4)
        #expect(chunks == ["abcd", "efgh", "ij", "klm"])
    }

    @Test func multibyteCharactersAreNeverCut() {
        let text = String(repeating: "é", count: 300)  // 600 bytes
        let chunks = IRCLineSplitter.split(text, budget: 401)
        #expect(chunks.map { $0.utf8.count } == [400, 200])
        checkInvariants(chunks, of: text, budget: 401)
    }

    @Test func threeAndFourByteScalarsRespectOddBudgets() {
        let text = "日本語のテキスト🚨🚨🚨"
        for budget in 4...20 {
            checkInvariants(IRCLineSplitter.split(text, budget: budget), of: text, budget: budget)
        }
    }

    @Test func emojiWithModifiersStaysWhole() {
        let thumbs = "👍🏽"  // 8 bytes, one Character
        let chunks = IRCLineSplitter.split(String(repeating: thumbs, count: 5), budget: 10)
        #expect(chunks == Array(repeating: thumbs, count: 5))
    }

    @Test func characterLargerThanTheBudgetIsCutBetweenScalars() {
        let family = "👨‍👩‍👧‍👦"  // 25 bytes, 7 scalars, one Character
        let chunks = IRCLineSplitter.split("a " + family, budget: 10)
        #expect(chunks.first == "a")
        #expect(chunks.dropFirst().joined() == family)
        checkInvariants(chunks, of: "a " + family, budget: 10)
    }

    @Test func tinyBudgetReplacesScalarsThatCannotFit() {
        #expect(IRCLineSplitter.split("🚨", budget: 2) == ["?"])
        #expect(IRCLineSplitter.split("a é 🚨", budget: 1) == ["a", "?", "?"])
        for budget in 1...3 {
            #expect(IRCLineSplitter.split("日本 🚨 text", budget: budget).allSatisfy { !$0.isEmpty && $0.utf8.count <= budget })
        }
    }

    @Test func combiningMarksStayWithTheirBase() {
        let text = String(repeating: "e\u{301}", count: 10)  // 3 bytes per Character
        let chunks = IRCLineSplitter.split(text, budget: 7)
        #expect(chunks.allSatisfy { $0.utf8.count == 6 || $0.utf8.count == 3 })
        checkInvariants(chunks, of: text, budget: 7)
    }

    @Test(arguments: [4, 5, 7, 13, 26, 50, 399])
    func invariantsHoldForMixedText(_ budget: Int) {
        let text = "🚨 Incident #42 (critical): disk full on db-1.example — Überlauf 日本 👨‍👩‍👧‍👦 "
            + String(repeating: "x", count: 120) + "  end"
        checkInvariants(IRCLineSplitter.split(text, budget: budget), of: text, budget: budget)
    }

    @Test func singleSpacedWordsRejoinToTheOriginal() {
        let text = (1...200).map { "word\($0)" }.joined(separator: " ")
        let chunks = IRCLineSplitter.split(text, budget: 50)
        #expect(chunks.joined(separator: " ") == text)
    }

    @Test func budgetSubtractsTheRelayedPrefixAndCRLF() {
        // ":tocsin!~bot@host.example PRIVMSG #ops :" is 40 bytes, CRLF 2.
        let budget = IRCLineSplitter.textBudget(target: "#ops", selfPrefix: "tocsin!~bot@host.example")
        #expect(budget == 512 - 40 - 2)
        let notice = IRCLineSplitter.textBudget(target: "#ops", command: "NOTICE", selfPrefix: "tocsin!~bot@host.example")
        #expect(notice == budget + 1)
    }

    @Test func budgetFollowsLineLengthAndIgnoresTags() {
        let base = IRCLineSplitter.textBudget(target: "#ops", selfPrefix: "n!u@h")
        #expect(IRCLineSplitter.textBudget(target: "#ops", selfPrefix: "n!u@h", lineLength: 1024) == base + 512)
        #expect(IRCLineSplitter.textBudget(target: "#ops", selfPrefix: "n!u@h", tags: "+draft/reply=abc") == base)
    }

    @Test func pessimisticPrefixAssumesALongHost() {
        let prefix = IRCLineSplitter.pessimisticPrefix(nick: "tocsin", user: "bot")
        #expect(prefix.hasPrefix("tocsin!~bot@"))
        #expect(prefix.utf8.count == "tocsin!~bot@".utf8.count + 63)
        #expect(IRCLineSplitter.pessimisticPrefix(nick: "n").hasPrefix("n!~n@"))
    }

    @Test func chunksFitTheWireWhenRelayed() throws {
        let prefix = IRCLineSplitter.pessimisticPrefix(nick: "tocsin")
        let budget = IRCLineSplitter.textBudget(target: "#ops", selfPrefix: prefix)
        let text = String(repeating: "Überlastung 🚨 ", count: 100)
        for chunk in IRCLineSplitter.split(text, budget: budget) {
            let relayed = IRCMessage(command: "PRIVMSG", parameters: ["#ops", chunk], source: IRCSource(raw: prefix))
            #expect(relayed.serialized().count + 2 <= 512)
            #expect(try IRCMessage(parsing: relayed.serialized()).parameters[1] == chunk)
        }
    }

    @Test func budgetIsNeverNegative() {
        #expect(IRCLineSplitter.textBudget(target: String(repeating: "#", count: 600), selfPrefix: "x") == 0)
    }
}
