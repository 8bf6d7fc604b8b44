// libFuzzer entry point for the XMPP stream parser.
//
// Built by integration-tests/fuzz.sh xmpp together with the sources of Sources/XMPP/XML,
// Sources/XMPP/Stream and Sources/XMPP/Namespaces into one module, so it calls the parser's
// internals directly and needs neither SwiftPM nor swift-crypto.
//
// Properties checked for every input (a violation traps, which libFuzzer reports as a crash):
// 1. Feeding the bytes whole or split in two at a data-derived point gives the same events, or
//    both fail (RFC 6120 §4.1: the stream is a byte stream, chunking must not matter).
// 2. Every stanza serializes, and reparsing that text inside a fresh stream yields exactly one
//    stanza equal to it (the codec's round-trip guarantee).
// 3. After reset() the parser behaves like a fresh one.

/// Small limits so the fuzzer reaches the size and depth checks quickly.
private let fuzzLimits = XMPPStreamParser.Limits(maxStanzaBytes: 4096, maxDepth: 12)

/// Generous limits for reparsing serialized output, which may be longer than its source.
private let reparseLimits = XMPPStreamParser.Limits(maxStanzaBytes: 1 << 24, maxDepth: 64)

private let reparseHeader = Array("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>".utf8)

/// Like `precondition`, but prints the message in optimized builds too, so a crash report says
/// which property broke.
private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

private enum Outcome: Equatable {
    case events([XMPPStreamEvent])
    case failed
}

private func run(_ parser: inout XMPPStreamParser, _ chunks: [ArraySlice<UInt8>]) -> Outcome {
    var events: [XMPPStreamEvent] = []
    do {
        for chunk in chunks { events += try parser.feed(chunk) }
        return .events(events)
    } catch {
        // The failure must be stable: the next feed reports the same error.
        do {
            _ = try parser.feed([0x20])
            fatalError("parser accepted input after failing with \(error)")
        } catch let again {
            check(again == error, "sticky error changed from \(error) to \(again)")
        }
        // Every error maps to an RFC 6120 condition.
        check(!error.streamErrorCondition.isEmpty && !error.description.isEmpty, "error without condition or description: \(error)")
        return .failed
    }
}

private func checkRoundTrip(_ stanza: XMLElement) {
    let text = stanza.serialized(parentNamespace: XMPPNamespace.client)
    var parser = XMPPStreamParser(limits: reparseLimits)
    let outcome = run(&parser, [reparseHeader[...], Array(text.utf8)[...]])
    guard case .events(let events) = outcome, events.count == 2,
          case .streamOpened = events[0], case .stanza(let reparsed) = events[1]
    else {
        fatalError("serialized stanza did not reparse: \(text)")
    }
    check(reparsed == stanza, "round trip changed the stanza:\n\(text)\n\(reparsed.serialized())")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXMPPStream(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    // A split point derived from the data itself, so the fuzzer can steer it.
    let split = Int(bytes.reduce(UInt32(0)) { $0 &* 31 &+ UInt32($1) } % UInt32(bytes.count + 1))

    var whole = XMPPStreamParser(limits: fuzzLimits)
    let wholeOutcome = run(&whole, [bytes[...]])

    var pieces = XMPPStreamParser(limits: fuzzLimits)
    let piecesOutcome = run(&pieces, [bytes[..<split], bytes[split...]])
    check(wholeOutcome == piecesOutcome, "splitting at \(split) changed the outcome: \(wholeOutcome) vs \(piecesOutcome)")

    whole.reset()
    check(run(&whole, [bytes[...]]) == wholeOutcome, "reset() did not restore a fresh parser")

    if case .events(let events) = wholeOutcome {
        for event in events {
            if case .stanza(let stanza) = event { checkRoundTrip(stanza) }
        }
    }
    return 0
}
