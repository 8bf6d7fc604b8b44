import IRC
import Testing

@Suite struct SASLPlainTests {
    @Test func payloadIsBase64OfTheThreeFieldsSeparatedByNul() {
        // The example from the IRCv3 SASL 3.1 specification.
        #expect(SASLPlain.authenticateLines(authzid: "jilles", authcid: "jilles", password: "sesame")
            == ["amlsbGVzAGppbGxlcwBzZXNhbWU="])
        #expect(SASLPlain.authenticateLines(authcid: "jilles", password: "sesame") == ["AGppbGxlcwBzZXNhbWU="])
    }

    @Test func payloadOfExactly400BytesIsFollowedByPlus() {
        // 300 raw bytes → 400 base64 bytes.
        let lines = SASLPlain.authenticateLines(authcid: "u", password: String(repeating: "p", count: 297))
        #expect(lines.count == 2)
        #expect(lines[0].utf8.count == 400)
        #expect(lines[1] == "+")
    }

    @Test func payloadJustOver400IsSplitWithoutPlus() {
        let lines = SASLPlain.authenticateLines(authcid: "u", password: String(repeating: "p", count: 298))
        #expect(lines.map { $0.utf8.count } == [400, 4])
    }

    @Test func payloadOf800BytesIsTwoChunksAndPlus() {
        let lines = SASLPlain.authenticateLines(authcid: "u", password: String(repeating: "p", count: 597))
        #expect(lines.map { $0.utf8.count } == [400, 400, 1])
        #expect(lines.last == "+")
    }

    @Test func emptyPayloadIsASinglePlus() {
        #expect(SASLPlain.chunks(ofBase64: "") == ["+"])
    }

    @Test func chunksReassembleToThePayload() {
        let password = String(repeating: "pässwörd-", count: 90)
        let lines = SASLPlain.authenticateLines(authcid: "tocsin", password: password)
        #expect(lines.dropLast().allSatisfy { $0.utf8.count == 400 })
        #expect(lines.last!.utf8.count < 400)
        #expect(lines.joined().hasPrefix("AHRvY3Npbg"))  // "\0tocsin"
    }

    @Test func nulInsideAFieldIsRemoved() {
        #expect(SASLPlain.authenticateLines(authcid: "jil\u{0}les", password: "sesame")
            == SASLPlain.authenticateLines(authcid: "jilles", password: "sesame"))
    }

    @Test(arguments: [("", "AAA="), ("a", "YQAA"), ("ab", "YWIAAA=="), ("abc", "YWJjAAA=")])
    func base64PaddingIsCorrect(_ authzid: String, _ expected: String) {
        // authzid NUL "" NUL "" — exercises all three padding cases.
        #expect(SASLPlain.authenticateLines(authzid: authzid, authcid: "", password: "") == [expected])
    }

    @Test func linesAreValidAuthenticateParameters() throws {
        for line in SASLPlain.authenticateLines(authcid: "u", password: String(repeating: "x", count: 700)) {
            let message = IRCMessage(command: "AUTHENTICATE", parameters: [line])
            #expect(try IRCMessage(parsing: message.serialized()).parameters == [line])
        }
    }
}
