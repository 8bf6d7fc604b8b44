import Foundation
import Testing
@testable import XMPP

@Suite("JID parsing and normalization (RFC 7622)")
struct JIDTests {
    /// RFC 7622 §3.5 examples of valid JIDs (the ones the simplified profile can honour) with
    /// their expected (local, domain, resource) after normalization.
    static let validExamples: [(String, String?, String, String?)] = [
        ("juliet@example.com", "juliet", "example.com", nil),
        ("juliet@example.com/foo", "juliet", "example.com", "foo"),
        ("juliet@example.com/foo bar", "juliet", "example.com", "foo bar"),
        ("juliet@example.com/foo@bar", "juliet", "example.com", "foo@bar"),
        ("foo\\20bar@example.com", "foo\\20bar", "example.com", nil),
        ("fussball@example.com", "fussball", "example.com", nil),
        ("fußball@example.com", "fußball", "example.com", nil),
        ("π@example.com", "π", "example.com", nil),
        ("Σ@example.com/foo", "σ", "example.com", "foo"),
        ("σ@example.com/foo", "σ", "example.com", "foo"),
        ("ς@example.com/foo", "ς", "example.com", "foo"),
        ("king@example.com/♚", "king", "example.com", "♚"),
        ("example.com", nil, "example.com", nil),
        ("example.com/foobar", nil, "example.com", "foobar"),
        ("a.example.com/b@example.net", nil, "a.example.com", "b@example.net"),
        ("room@conference.example.com/Tocsin Bot", "room", "conference.example.com", "Tocsin Bot"),
        ("Bot@Example.COM/Resource", "bot", "example.com", "Resource"),
        ("bot@example.com./r", "bot", "example.com", "r"),
        ("bot@[::1]", "bot", "[::1]", nil),
        ("bot@192.168.0.1", "bot", "192.168.0.1", nil),
        ("bot@xn--bcher-kva.example", "bot", "xn--bcher-kva.example", nil),
        ("bot@bücher.example", "bot", "bücher.example", nil),
        ("bot@example。com", "bot", "example.com", nil),
    ]

    @Test("valid JIDs parse into normalized parts", arguments: validExamples)
    func validJIDsParse(input: String, local: String?, domain: String, resource: String?) throws {
        let jid = try JID(input)
        #expect(jid.localpart == local)
        #expect(jid.domainpart == domain)
        #expect(jid.resourcepart == resource)
    }

    /// RFC 7622 §3.5 invalid examples plus edge cases, with the reason expected.
    static let invalidExamples: [(String, JIDError.Reason)] = [
        ("\"juliet\"@example.com", .forbiddenCharacter(.localpart, "\"")),
        ("foo bar@example.com", .forbiddenCharacter(.localpart, " ")),
        ("juliet@", .empty(.domainpart)),
        ("/foobar", .empty(.domainpart)),
        ("", .empty(.domainpart)),
        ("@example.com/", .empty(.localpart)),
        ("@example.com", .empty(.localpart)),
        ("juliet@example.com/", .empty(.resourcepart)),
        ("a:b@example.com", .forbiddenCharacter(.localpart, ":")),
        ("a<b@example.com", .forbiddenCharacter(.localpart, "<")),
        ("a'b@example.com", .forbiddenCharacter(.localpart, "'")),
        ("a&b@example.com", .forbiddenCharacter(.localpart, "&")),
        ("a@b@example.com", .forbiddenCharacter(.domainpart, "@")),
        ("bot@exa mple.com", .forbiddenCharacter(.domainpart, " ")),
        ("bot@example..com", .invalidDomain("empty label (two dots in a row or a leading dot)")),
        ("bot@.example.com", .invalidDomain("empty label (two dots in a row or a leading dot)")),
        ("bot@example.com:5222", .forbiddenCharacter(.domainpart, ":")),
        ("bot@[::1", .invalidDomain("unterminated IPv6 literal")),
        ("bot@[zz]", .invalidDomain("'zz' is not an IPv6 address")),
        ("bot@example.com/a\u{7}b", .forbiddenCharacter(.resourcepart, "\u{7}")),
        ("bo\u{0}t@example.com", .forbiddenCharacter(.localpart, "\u{0}")),
    ]

    @Test("invalid JIDs are rejected with the reason", arguments: invalidExamples)
    func invalidJIDsAreRejected(input: String, reason: JIDError.Reason) {
        #expect(throws: JIDError(input: input, reason: reason)) { try JID(input) }
    }

    @Test("each part is limited to 1023 bytes")
    func partsAreLimitedTo1023Bytes() throws {
        let ok = String(repeating: "a", count: 1023)
        #expect(throws: Never.self) { try JID("\(ok)@example.com/\(ok)") }
        let long = String(repeating: "a", count: 1024)
        #expect(throws: JIDError(input: "\(long)@example.com", reason: .tooLong(.localpart, byteCount: 1024))) { try JID("\(long)@example.com") }
        #expect(throws: JIDError(input: "a@example.com/\(long)", reason: .tooLong(.resourcepart, byteCount: 1024))) { try JID("a@example.com/\(long)") }
        let multibyte = String(repeating: "é", count: 512)
        #expect(throws: JIDError.self) { try JID("\(multibyte)@example.com") }
    }

    @Test("a domain label over 63 bytes is rejected")
    func longLabelIsRejected() {
        #expect(throws: JIDError.self) { try JID("bot@\(String(repeating: "a", count: 64)).example.com") }
    }

    @Test("case and Unicode normalization make equivalent JIDs equal")
    func normalizationMakesEquivalentJIDsEqual() throws {
        #expect(try JID("Bot@EXAMPLE.com") == JID("bot@example.com"))
        #expect(try JID("re\u{301}sume\u{301}@example.com") == JID("résumé@example.com"))
        #expect(try JID("résumé@example.com").localpart?.unicodeScalars.count == 6)
        #expect(try JID("bot@example.com/Res") != JID("bot@example.com/res"))
    }

    @Test("bare, isBare and with(resource:) move between full and bare JIDs")
    func bareAndFullConversions() throws {
        let full = try JID("room@conference.example.com/Tocsin")
        #expect(!full.isBare)
        #expect(full.bare == (try JID("room@conference.example.com")))
        #expect(full.bare.isBare)
        #expect(try full.bare.with(resource: "Other").description == "room@conference.example.com/Other")
        #expect(throws: JIDError.self) { try full.with(resource: "") }
        #expect(try JID("example.com").bare.description == "example.com")
    }

    @Test("description is the canonical string form")
    func descriptionIsCanonical() throws {
        #expect(try JID("Bot@Example.COM/Res").description == "bot@example.com/Res")
        #expect(try JID("example.com/x").description == "example.com/x")
    }

    @Test("building from parts validates each part")
    func buildingFromPartsValidates() throws {
        #expect(try JID(localpart: "bot", domainpart: "example.com", resourcepart: "r").description == "bot@example.com/r")
        #expect(throws: JIDError.self) { try JID(localpart: "b@t", domainpart: "example.com") }
    }

    @Test("JIDs encode and decode as plain strings")
    func codableAsString() throws {
        let jid = try JID("bot@example.com/r")
        let data = try JSONEncoder().encode([jid])
        #expect(String(decoding: data, as: UTF8.self) == "[\"bot@example.com\\/r\"]")
        #expect(try JSONDecoder().decode([JID].self, from: data) == [jid])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([JID].self, from: Data("[\"@x\"]".utf8)) }
    }

    @Test("error descriptions name the input and what to fix")
    func errorDescriptionsAreActionable() {
        let error = JIDError(input: "a b@example.com", reason: .forbiddenCharacter(.localpart, " "))
        #expect(error.description == "invalid JID 'a b@example.com': the localpart must not contain 'U+20' (RFC 7622 §3.3.1/§3.4.1)")
        #expect(JIDError(input: "@x", reason: .empty(.localpart)).description.contains("localpart is empty"))
    }
}
