import Foundation
import Testing
@testable import XMPP

@Suite("SASL mechanism choice, PLAIN and server messages (RFC 6120 §6)")
struct SASLTests {
    @Test("the strongest SCRAM is preferred and -PLUS variants are never chosen")
    func strongestSCRAMIsPreferred() {
        let ejabberd = ["SCRAM-SHA-512-PLUS", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"]
        #expect(SASLMechanismName.preferred(from: ejabberd, allowPlain: true) == .scramSHA512)
        #expect(SASLMechanismName.preferred(from: ["SCRAM-SHA-1", "PLAIN"], allowPlain: true) == .scramSHA1)
        #expect(SASLMechanismName.preferred(from: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-1"], allowPlain: true) == .scramSHA256)
        #expect(SASLMechanismName.preferred(from: ["SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS"], allowPlain: false) == nil)
        #expect(SASLMechanismName.preferred(from: ["scram-sha-1"], allowPlain: false) == .scramSHA1)
    }

    @Test("PLAIN is chosen only when allowed")
    func plainOnlyWhenAllowed() {
        #expect(SASLMechanismName.preferred(from: ["PLAIN"], allowPlain: true) == .plain)
        #expect(SASLMechanismName.preferred(from: ["PLAIN"], allowPlain: false) == nil)
        #expect(SASLMechanismName.preferred(from: ["X-OAUTH2", "ANONYMOUS"], allowPlain: true) == nil)
    }

    @Test("mechanisms map to SCRAM hashes and back")
    func mechanismsMapToHashes() {
        for hash in SCRAMHash.allCases {
            #expect(hash.mechanism.scramHash == hash)
        }
        #expect(SASLMechanismName.plain.scramHash == nil)
        #expect(SCRAMClient(hash: .sha512, username: "u", password: "p").mechanism == .scramSHA512)
    }

    @Test("the PLAIN initial response is base64 of authzid NUL authcid NUL password (RFC 4616)")
    func plainInitialResponse() {
        #expect(SASLPlain.initialResponse(authcid: "tim", password: "tanstaaftanstaaf") == "AHRpbQB0YW5zdGFhZnRhbnN0YWFm")
        let withAuthzid = SASLPlain.initialResponse(authcid: "Kurt", password: "xipj3plmq", authzid: "Ursel")
        #expect(Data(base64Encoded: withAuthzid) == Data("Ursel\u{0}Kurt\u{0}xipj3plmq".utf8))
    }

    @Test("payload encoding uses = for empty and decodes base64")
    func payloadEncoding() throws {
        #expect(SASLPayload.encode("") == "=")
        #expect(SASLPayload.encode("n,,n=user,r=abc") == "biwsbj11c2VyLHI9YWJj")
        #expect(try SASLPayload.decode("=") == "")
        #expect(try SASLPayload.decode("") == "")
        #expect(try SASLPayload.decode(" biwsbj11c2VyLHI9YWJj\n") == "n,,n=user,r=abc")
        #expect(throws: SASLError.self) { try SASLPayload.decode("not base64!") }
    }

    @Test("challenge, success and failure are parsed from the transcript")
    func serverMessagesFromTranscript() throws {
        let all = stanzas(parse(Transcripts.prosodySASL))
        #expect(try SASLServerMessage(element: all[0]) == nil)
        #expect(try SASLServerMessage(element: all[1]) == .challenge("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"))
        #expect(try SASLServerMessage(element: all[2]) == .success("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="))
    }

    @Test("a full SCRAM exchange over the transcript authenticates the server")
    func fullExchangeOverTranscript() throws {
        var scram = SCRAMClient(hash: .sha1, username: "user", password: "pencil", nonce: "fyko+d2lbbFgONRv9qkxdawL")
        let auth = Stanza.auth(mechanism: scram.mechanism, initialResponse: SASLPayload.encode(scram.clientFirstMessage()))
        #expect(auth[attribute: "mechanism"] == "SCRAM-SHA-1")
        let all = stanzas(parse(Transcripts.prosodySASL))
        guard case .challenge(let serverFirst)? = try SASLServerMessage(element: all[1]),
              case .success(let serverFinal?)? = try SASLServerMessage(element: all[2])
        else {
            Issue.record("unexpected server messages")
            return
        }
        let response = Stanza.saslResponse(SASLPayload.encode(try scram.clientFinalMessage(serverFirst: serverFirst)))
        #expect(try SASLPayload.decode(response.text).hasSuffix("p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="))
        try scram.verifyServerFinal(serverFinal)
    }

    @Test("an empty success and a failure with text are parsed")
    func emptySuccessAndFailure() throws {
        #expect(try SASLServerMessage(element: XMLElement("success", namespace: XMPPNamespace.sasl)) == .success(nil))
        let failure = try #require(parseStanza("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text xml:lang='en'>Invalid username or password</text></failure>"))
        let message = try SASLServerMessage(element: failure)
        #expect(message == .failure(condition: "not-authorized", text: "Invalid username or password"))
        #expect(message?.error?.description.contains("check the account's username and password") == true)
    }

    @Test("a challenge with invalid base64 throws")
    func invalidChallengeThrows() {
        #expect(throws: SASLError.self) { try SASLServerMessage(element: XMLElement("challenge", namespace: XMPPNamespace.sasl, text: "%%%")) }
    }
}
