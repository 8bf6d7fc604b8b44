import Testing
@testable import XMPP

@Suite("XMPPStreamParser on real server transcripts")
struct XMPPStreamParserTests {
    static let allTranscripts = [Transcripts.prosodyPreTLS, Transcripts.prosodySASL, Transcripts.prosodySession, Transcripts.ejabberdFeatures]

    @Test("a prosody session yields the header, every stanza in order and the close")
    func prosodySessionYieldsEveryStanza() throws {
        let events = try parse(Transcripts.prosodySession).get()
        guard case .streamOpened(let header) = events.first else {
            Issue.record("first event is not the stream header")
            return
        }
        #expect(header.name == "stream")
        #expect(header.namespace == XMPPNamespace.streams)
        #expect(header[attribute: "id"] == "b7d2")
        #expect(header[attribute: "from"] == "example.com")
        #expect(header[attribute: "version"] == "1.0")
        #expect(header[attribute: "xml:lang"] == "en")
        #expect(header.children.isEmpty)
        #expect(events.last == .streamClosed)

        let names = stanzas(.success(events)).map(\.name)
        #expect(names == ["features", "iq", "enabled", "presence", "presence", "message", "message", "message", "r", "iq", "message", "message", "a", "message"])
    }

    @Test("entities, character references and CDATA become plain text")
    func entitiesAndCDATABecomeText() throws {
        let all = stanzas(parse(Transcripts.prosodySession))
        let live = try #require(all.first { $0[attribute: "id"] == "m1" })
        #expect(live.firstChild(named: "body")?.text == "!ack 123 <see runbook> 🚨")
        let subject = try #require(all.first { $0[attribute: "id"] == "subj" })
        #expect(subject.firstChild(named: "subject")?.text == "On-call: alice & bob")
        let cdata = try #require(all.last)
        #expect(cdata.firstChild(named: "body")?.text == "<b>raw</b> & cdata")
    }

    @Test("stanzas carry resolved namespaces, with stream-level elements in the streams namespace")
    func namespacesAreResolved() throws {
        let all = stanzas(parse(Transcripts.prosodySession))
        #expect(all[0].namespace == XMPPNamespace.streams)
        #expect(all[1].namespace == XMPPNamespace.client)
        #expect(all[1].firstChild(named: "bind")?.namespace == XMPPNamespace.bind)
        #expect(all[1].firstChild(named: "bind")?.firstChild(named: "jid")?.namespace == XMPPNamespace.bind)
        #expect(all[2].namespace == XMPPNamespace.streamManagement)
    }

    @Test("splitting a transcript at every byte boundary gives identical events", arguments: allTranscripts)
    func everySplitPointGivesIdenticalEvents(transcript: String) throws {
        let expected = try parse(transcript).get()
        #expect(!expected.isEmpty)
        for split in 1..<transcript.utf8.count {
            let events = try parse(transcript, chunkSizes: [split]).get()
            if events != expected {
                Issue.record("split at byte \(split) changed the events")
                return
            }
        }
    }

    @Test("byte-at-a-time feeding gives identical events", arguments: allTranscripts)
    func byteAtATimeGivesIdenticalEvents(transcript: String) throws {
        #expect(try parseBytewise(transcript).get() == parse(transcript).get())
    }

    @Test("irregular chunk sizes give identical events")
    func irregularChunksGiveIdenticalEvents() throws {
        let transcript = Transcripts.prosodySession
        let expected = try parse(transcript).get()
        var generator = SplitMix64(seed: 42)
        for _ in 0..<50 {
            let sizes = (0..<200).map { _ in Int(generator.next() % 97) + 1 }
            #expect(try parse(transcript, chunkSizes: sizes).get() == expected)
        }
    }

    @Test("a stanza is reported as soon as its end tag arrives")
    func stanzaIsReportedImmediately() throws {
        var parser = XMPPStreamParser()
        #expect(try parser.feed(Array(serverHeader.utf8)).count == 1)
        #expect(try parser.feed(Array("<message><body>hi</body></messag".utf8)).isEmpty)
        let events = try parser.feed(Array("e>".utf8))
        #expect(events.count == 1)
        guard case .stanza(let message) = events.first else {
            Issue.record("expected a stanza")
            return
        }
        #expect(message.firstChild(named: "body")?.text == "hi")
    }

    @Test("whitespace keepalives between stanzas produce no events")
    func whitespaceKeepalivesAreIgnored() throws {
        var parser = XMPPStreamParser()
        _ = try parser.feed(Array(serverHeader.utf8))
        for _ in 0..<1000 {
            #expect(try parser.feed(Array(" ".utf8)).isEmpty)
        }
        #expect(try parser.feed(Array("\n\t\r\n<r xmlns='urn:xmpp:sm:3'/>".utf8)).count == 1)
    }

    @Test("whitespace keepalives do not count towards the stanza size limit")
    func keepalivesDoNotAccumulateTowardsLimit() throws {
        var parser = XMPPStreamParser(limits: .init(maxStanzaBytes: 64))
        _ = try parser.feed(Array("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>".utf8))
        for _ in 0..<500 { _ = try parser.feed([0x20]) }
        #expect(try parser.feed(Array("<r xmlns='urn:xmpp:sm:3'/>".utf8)).count == 1)
    }

    @Test("reset starts a new document, as after STARTTLS and SASL success")
    func resetStartsNewDocument() throws {
        var parser = XMPPStreamParser()
        let first = try parser.feed(Array(Transcripts.prosodyPreTLS.utf8))
        #expect(first.count == 3)
        #expect(first.last.map { if case .stanza(let e) = $0 { e.name == "proceed" } else { false } } == true)

        // Without a reset, a second header (with an XML declaration) is not well-formed.
        var stale = XMPPStreamParser()
        _ = try stale.feed(Array(Transcripts.prosodyPreTLS.utf8))
        #expect(throws: XMPPStreamError.self) { try stale.feed(Array(Transcripts.prosodySASL.utf8)) }

        parser.reset()
        let second = try parser.feed(Array(Transcripts.prosodySASL.utf8))
        #expect(second.count == 4)
        guard case .streamOpened(let header) = second.first else {
            Issue.record("expected a new stream header")
            return
        }
        #expect(header[attribute: "id"] == "a0c1")
        parser.reset()
        #expect(try parser.feed(Array(Transcripts.prosodySession.utf8)).last == .streamClosed)
    }

    @Test("reset clears a failure")
    func resetClearsFailure() throws {
        var parser = XMPPStreamParser()
        #expect(throws: XMPPStreamError.self) { try parser.feed(Array("<not-a-stream/>".utf8)) }
        parser.reset()
        #expect(try parser.feed(Array(serverHeader.utf8)).count == 1)
    }

    @Test("feeding a non-contiguous collection works like an array")
    func nonContiguousCollectionsAreAccepted() throws {
        var parser = XMPPStreamParser()
        let events = try parser.feed((serverHeader + "<r xmlns='urn:xmpp:sm:3'/>").utf8)
        #expect(events.count == 2)
    }

    @Test("each parsed stanza serializes and reparses to an equal element", arguments: allTranscripts)
    func parsedStanzasRoundTrip(transcript: String) throws {
        for stanza in stanzas(parse(transcript)) {
            #expect(roundTrip(stanza) == stanza)
        }
    }

    @Test("prefixed stanza children resolve to the same names as default-namespace ones")
    func prefixedChildrenResolve() throws {
        let prefixed = try #require(parseStanza("<message xmlns:d='urn:xmpp:delay'><d:delay stamp='x'/></message>"))
        let plain = try #require(parseStanza("<message><delay xmlns='urn:xmpp:delay' stamp='x'/></message>"))
        #expect(prefixed == plain)
    }

    @Test("a UTF-8 sequence split across chunks is decoded correctly")
    func splitMultibyteCharacter() throws {
        let text = serverHeader + "<message><body>ü🚨</body></message>"
        let expected = try parse(text).get()
        for split in (text.utf8.count - 22)..<(text.utf8.count - 10) {
            #expect(try parse(text, chunkSizes: [split]).get() == expected)
        }
    }

    @Test("a declared non-UTF-8 encoding is ignored: the stream is UTF-8")
    func encodingIsAlwaysUTF8() throws {
        let text = "<?xml version='1.0' encoding='ISO-8859-1'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'><message><body>ü</body></message>"
        let all = stanzas(parse(text))
        #expect(all.first?.firstChild(named: "body")?.text == "ü")
    }
}

/// A tiny deterministic generator for reproducible chunkings.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
