import IRC
import Testing

@Suite struct IRCCaseMappingTests {
    @Test func rfc1459FoldsBracketsBackslashAndTilde() {
        #expect(IRCCaseMapping.rfc1459.fold("#Ops[1]\\~") == "#ops{1}|^")
        #expect(IRCCaseMapping.rfc1459.equal("Tocsin[away]", "tocsin{AWAY}"))
        #expect(IRCCaseMapping.rfc1459.equal("a~b", "A^B"))
    }

    @Test func rfc1459StrictDoesNotFoldTilde() {
        #expect(IRCCaseMapping.rfc1459Strict.fold("#Ops[1]\\~") == "#ops{1}|~")
        #expect(IRCCaseMapping.rfc1459Strict.equal("[x]", "{X}"))
        #expect(!IRCCaseMapping.rfc1459Strict.equal("a~b", "a^b"))
    }

    @Test func asciiFoldsOnlyLetters() {
        #expect(IRCCaseMapping.ascii.fold("#Ops[1]\\~") == "#ops[1]\\~")
        #expect(!IRCCaseMapping.ascii.equal("[x]", "{x}"))
        #expect(IRCCaseMapping.ascii.equal("ABCxyz", "abcXYZ"))
    }

    @Test(arguments: IRCCaseMapping.allCases)
    func nonASCIIIsLeftAlone(_ mapping: IRCCaseMapping) {
        #expect(mapping.fold("ÉCOLE") == "École")
        #expect(!mapping.equal("É", "é"))
    }

    @Test(arguments: IRCCaseMapping.allCases)
    func foldingIsIdempotent(_ mapping: IRCCaseMapping) {
        let text = "#ABC[]\\~{}|^xyz-_é"
        #expect(mapping.fold(mapping.fold(text)) == mapping.fold(text))
    }

    @Test func rawValuesAreTheISupportNames() {
        #expect(IRCCaseMapping.rfc1459Strict.rawValue == "rfc1459-strict")
    }

    @Test func namesActAsCaseInsensitiveDictionaryKeys() {
        var joined: [IRCName: Int] = [:]
        joined[IRCName("#Ops[EU]", caseMapping: .rfc1459)] = 1
        #expect(joined[IRCName("#ops{eu}", caseMapping: .rfc1459)] == 1)
        #expect(joined[IRCName("#ops{eu}", caseMapping: .ascii)] == nil)
        #expect(IRCName("#Ops").description == "#Ops")
        #expect(IRCName("#Ops").folded == "#ops")
    }

    @Test func namesUnderDifferentMappingsAreDifferent() {
        #expect(IRCName("a", caseMapping: .ascii) != IRCName("a", caseMapping: .rfc1459))
        #expect(IRCName("A", caseMapping: .ascii) == IRCName("a", caseMapping: .ascii))
    }
}
