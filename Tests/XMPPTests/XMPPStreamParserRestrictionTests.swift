import Testing
@testable import XMPP

@Suite("XMPPStreamParser rejects restricted XML and enforces limits")
struct XMPPStreamParserRestrictionTests {
    static let streamOpen = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"

    static let restrictedInputs: [(String, String)] = [
        ("internal DTD", "<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY x 'y'>]>" + streamOpen),
        ("external DTD", "<!DOCTYPE stream SYSTEM 'http://evil.example/x.dtd'>" + streamOpen),
        ("billion laughs", "<!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;'>]>" + streamOpen + "<message><body>&lol2;</body></message>"),
        ("comment before the stream", "<!-- hi -->" + streamOpen),
        ("comment between stanzas", streamOpen + "<!-- hi -->"),
        ("comment inside a stanza", streamOpen + "<message><!-- hi --><body/></message>"),
        ("processing instruction", streamOpen + "<?evil data?>"),
        ("processing instruction inside a stanza", streamOpen + "<message><?php echo 1; ?></message>"),
        ("undeclared entity reference", streamOpen + "<message><body>&nbsp;</body></message>"),
        ("undeclared entity in an attribute", streamOpen + "<message to='&ext;'/>"),
    ]

    @Test("restricted XML is rejected with restricted-xml", arguments: restrictedInputs)
    func restrictedXMLIsRejected(name: String, input: String) {
        let error = parseError(input)
        #expect(error?.streamErrorCondition == "restricted-xml", "\(name): \(String(describing: error))")
    }

    @Test("restricted XML is rejected even when fed byte by byte", arguments: restrictedInputs)
    func restrictedXMLIsRejectedBytewise(name: String, input: String) {
        guard case .failure(let error) = parseBytewise(input) else {
            Issue.record("\(name) was accepted")
            return
        }
        #expect(error.streamErrorCondition == "restricted-xml")
    }

    @Test("a syntax error is not-well-formed with expat's message and position")
    func syntaxErrorIsNotWellFormed() throws {
        let error = try #require(parseError(Self.streamOpen + "\n<message><body>x</message>"))
        guard case .notWellFormed(let message, let line, let column) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(message.contains("mismatched tag"))
        #expect(line == 2)
        #expect(column > 0)
        #expect(error.streamErrorCondition == "not-well-formed")
        #expect(error.description.contains("line 2"))
    }

    @Test("an unbound prefix is not well-formed")
    func unboundPrefixIsNotWellFormed() {
        #expect(parseError(Self.streamOpen + "<foo:bar/>")?.streamErrorCondition == "not-well-formed")
    }

    @Test("invalid UTF-8 is not well-formed")
    func invalidUTF8IsNotWellFormed() {
        var parser = XMPPStreamParser()
        var bytes = Array((Self.streamOpen + "<message><body>").utf8)
        bytes += [0xC3, 0x28]
        #expect(throws: XMPPStreamError.self) { try parser.feed(bytes) }
    }

    @Test("a wrong root element is invalid-namespace", arguments: [
        "<html><body/></html>",
        "<stream xmlns='jabber:client'>",
        "<stream:stream xmlns:stream='urn:wrong'>",
    ])
    func wrongRootIsInvalidNamespace(input: String) {
        #expect(parseError(input)?.streamErrorCondition == "invalid-namespace")
    }

    @Test("text between stanzas is bad-format")
    func textBetweenStanzasIsBadFormat() {
        #expect(parseError(Self.streamOpen + "hello") == .badFormat("text outside any stanza"))
    }

    @Test("a stanza over the size limit is a policy violation, whole or in pieces")
    func oversizedStanzaIsPolicyViolation() {
        let limits = XMPPStreamParser.Limits(maxStanzaBytes: 1024)
        let big = Self.streamOpen + "<message><body>" + String(repeating: "a", count: 2000) + "</body></message>"
        #expect(parseError(big, limits: limits)?.streamErrorCondition == "policy-violation")
        guard case .failure(let error) = parseBytewise(big, limits: limits) else {
            Issue.record("oversized stanza accepted bytewise")
            return
        }
        #expect(error.streamErrorCondition == "policy-violation")
    }

    @Test("a stanza exactly at the size limit is accepted")
    func stanzaAtLimitIsAccepted() throws {
        let stanza = "<message><body>" + String(repeating: "a", count: 100) + "</body></message>"
        let limits = XMPPStreamParser.Limits(maxStanzaBytes: stanza.utf8.count)
        #expect(stanzas(parse(Self.streamOpen + stanza, limits: limits)).count == 1)
        #expect(stanzas(parseBytewise(Self.streamOpen + stanza, limits: limits)).count == 1)
        let tooSmall = XMPPStreamParser.Limits(maxStanzaBytes: stanza.utf8.count - 1)
        #expect(parseError(Self.streamOpen + stanza, limits: tooSmall)?.streamErrorCondition == "policy-violation")
    }

    @Test("a never-ending start tag is stopped by the size limit")
    func endlessStartTagIsStopped() {
        var parser = XMPPStreamParser(limits: .init(maxStanzaBytes: 4096))
        var failure: XMPPStreamError?
        do {
            _ = try parser.feed(Array(Self.streamOpen.utf8))
            _ = try parser.feed(Array("<message to='".utf8))
            for _ in 0..<100 {
                _ = try parser.feed(Array(repeating: UInt8(ascii: "a"), count: 1000))
            }
        } catch {
            failure = error
        }
        #expect(failure?.streamErrorCondition == "policy-violation")
    }

    @Test("many stanzas in one chunk are each measured separately")
    func manySmallStanzasInOneChunk() {
        let stanza = "<message><body>" + String(repeating: "b", count: 500) + "</body></message>"
        let input = Self.streamOpen + String(repeating: stanza, count: 100)
        #expect(stanzas(parse(input, limits: .init(maxStanzaBytes: 1024))).count == 100)
    }

    @Test("nesting deeper than the limit is a policy violation")
    func deepNestingIsPolicyViolation() {
        let depth = 40
        let nested = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        let error = parseError(Self.streamOpen + nested, limits: .init(maxDepth: 32))
        #expect(error == .policyViolation("elements nested deeper than the limit of 32"))
        #expect(stanzas(parse(Self.streamOpen + nested, limits: .init(maxDepth: 40))).count == 1)
    }

    @Test("after an error every later feed throws the same error")
    func errorIsSticky() {
        var parser = XMPPStreamParser()
        var errors: [XMPPStreamError] = []
        for chunk in [Self.streamOpen + "<!-- x -->", "<message/>"] {
            do { _ = try parser.feed(Array(chunk.utf8)) } catch { errors.append(error) }
        }
        #expect(errors.count == 2)
        #expect(errors.first == errors.last)
    }

    @Test("the stream close ends the stream and trailing garbage is not well-formed")
    func closeThenGarbage() throws {
        var parser = XMPPStreamParser()
        let events = try parser.feed(Array((Self.streamOpen + "</stream:stream>").utf8))
        #expect(events.last == .streamClosed)
        #expect(throws: XMPPStreamError.self) { try parser.feed(Array("<message/>".utf8)) }
    }

    @Test("stream errors map to RFC 6120 conditions and explain themselves")
    func errorsMapToConditions() {
        let cases: [(XMPPStreamError, String)] = [
            (.notWellFormed(message: "syntax error", line: 1, column: 2), "not-well-formed"),
            (.restrictedXML("comment"), "restricted-xml"),
            (.policyViolation("too big"), "policy-violation"),
            (.invalidNamespace("x"), "invalid-namespace"),
            (.badFormat("y"), "bad-format"),
        ]
        for (error, condition) in cases {
            #expect(error.streamErrorCondition == condition)
            #expect(error.streamError.condition == condition)
            #expect(!error.description.isEmpty)
        }
        let element = XMPPStreamError.restrictedXML("XML comment").streamError.element
        #expect(element.serialized(parentNamespace: XMPPNamespace.client)
            == "<error xmlns='http://etherx.jabber.org/streams'><restricted-xml xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>XML comment</text></error>")
    }

    @Test("limits clamp nonsensical values")
    func limitsClamp() {
        let limits = XMPPStreamParser.Limits(maxStanzaBytes: 0, maxDepth: -1)
        #expect(limits.maxStanzaBytes == 1)
        #expect(limits.maxDepth == 1)
        #expect(XMPPStreamParser().limits == .init(maxStanzaBytes: 262_144, maxDepth: 32))
    }
}

@Suite("XMPPStreamParser accepts only UTF-8 (RFC 6120 §11.6)")
struct XMPPStreamParserEncodingTests {
    static let streamOpen = XMPPStreamParserRestrictionTests.streamOpen

    static func utf16(_ text: String, bigEndian: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        for unit in text.utf16 {
            let high = UInt8(unit >> 8), low = UInt8(unit & 0xFF)
            bytes += bigEndian ? [high, low] : [low, high]
        }
        return bytes
    }

    static let utf16Inputs: [[UInt8]] = [
        [0xFF, 0xFE] + utf16(streamOpen, bigEndian: false),
        [0xFE, 0xFF] + utf16(streamOpen, bigEndian: true),
        utf16(streamOpen, bigEndian: false),
        [UInt8(ascii: "z"), 0, UInt8(ascii: "<"), UInt8(ascii: "u"), UInt8(ascii: ">")],
    ]

    @Test("a UTF-16 stream is unsupported-encoding, whole or split", arguments: utf16Inputs)
    func utf16IsUnsupportedEncoding(bytes: [UInt8]) {
        for split in 0...min(bytes.count, 8) {
            var parser = XMPPStreamParser()
            var failure: XMPPStreamError?
            do {
                _ = try parser.feed(bytes[..<split])
                _ = try parser.feed(bytes[split...])
            } catch {
                failure = error
            }
            #expect(failure != nil, "split at \(split) was accepted")
            if split == 0 {
                #expect(failure?.streamErrorCondition == "unsupported-encoding")
            }
        }
    }

    @Test("a NUL byte inside a stanza is rejected after the stanzas before it")
    func nulInsideStanzaIsRejected() {
        var parser = XMPPStreamParser()
        #expect(throws: XMPPStreamError.self) { try parser.feed(Array((Self.streamOpen + "<message><body>a").utf8) + [0] + Array("</body></message>".utf8)) }
    }

    @Test("a syntax error before an invalid byte is reported first")
    func earlierSyntaxErrorWins() {
        let bytes = Array((Self.streamOpen + "<a></b>").utf8) + [0xFF]
        var parser = XMPPStreamParser()
        var failure: XMPPStreamError?
        do { _ = try parser.feed(bytes) } catch { failure = error }
        #expect(failure?.streamErrorCondition == "not-well-formed")
    }

    @Test("a UTF-8 byte-order mark is accepted")
    func utf8BOMIsAccepted() throws {
        var parser = XMPPStreamParser()
        let events = try parser.feed([0xEF, 0xBB, 0xBF] + Array((Self.streamOpen + "<r xmlns='urn:xmpp:sm:3'/>").utf8))
        #expect(events.count == 2)
    }
}
