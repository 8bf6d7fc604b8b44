@testable import XMPP

/// The header a prosody 0.12 server sends, used to wrap stanzas for parsing.
let serverHeader = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xml:lang='en' id='a1b2c3' from='example.com' version='1.0' xmlns:stream='http://etherx.jabber.org/streams'>"

/// Feeds `input` in pieces of the given sizes (the rest in one final piece) and collects all
/// events, or the first error.
func parse(_ input: String, chunkSizes: [Int] = [], limits: XMPPStreamParser.Limits = .init()) -> Result<[XMPPStreamEvent], XMPPStreamError> {
    var parser = XMPPStreamParser(limits: limits)
    let bytes = Array(input.utf8)
    var events: [XMPPStreamEvent] = []
    var offset = 0
    do {
        for size in chunkSizes where offset < bytes.count {
            let end = min(bytes.count, offset + size)
            events += try parser.feed(bytes[offset..<end])
            offset = end
        }
        if offset < bytes.count {
            events += try parser.feed(bytes[offset...])
        }
        return .success(events)
    } catch {
        return .failure(error)
    }
}

/// Feeds one byte at a time.
func parseBytewise(_ input: String, limits: XMPPStreamParser.Limits = .init()) -> Result<[XMPPStreamEvent], XMPPStreamError> {
    parse(input, chunkSizes: Array(repeating: 1, count: input.utf8.count), limits: limits)
}

/// The stanzas of a successful parse.
func stanzas(_ result: Result<[XMPPStreamEvent], XMPPStreamError>) -> [XMLElement] {
    guard case .success(let events) = result else { return [] }
    return events.compactMap { event in
        if case .stanza(let element) = event { return element }
        return nil
    }
}

/// Parses one top-level element written inside a server stream.
func parseStanza(_ xml: String) -> XMLElement? {
    let all = stanzas(parse(serverHeader + xml))
    return all.count == 1 ? all[0] : nil
}

/// The error of a failed parse, if any.
func parseError(_ input: String, limits: XMPPStreamParser.Limits = .init()) -> XMPPStreamError? {
    if case .failure(let error) = parse(input, limits: limits) { return error }
    return nil
}

/// Serializes as inside a client stream and parses back.
func roundTrip(_ element: XMLElement) -> XMLElement? {
    parseStanza(element.serialized(parentNamespace: XMPPNamespace.client))
}

/// Thrown by the helpers below when the input does not parse into what the test needs.
struct UnexpectedParse: Error, CustomStringConvertible {
    let description: String
}

/// Parses one stanza or throws, for use inside other expressions.
func stanzaElement(_ xml: String) throws -> XMLElement {
    guard let element = parseStanza(xml) else { throw UnexpectedParse(description: "not exactly one stanza: \(xml)") }
    return element
}

/// Serializes, reparses and throws if that fails.
func roundTripped(_ element: XMLElement) throws -> XMLElement {
    guard let parsed = roundTrip(element) else { throw UnexpectedParse(description: "round trip failed: \(element)") }
    return parsed
}

/// Parses an `<iq>` view or throws.
func parsedIQ(_ element: XMLElement) throws -> IQ {
    guard let iq = IQ(element: element) else { throw UnexpectedParse(description: "not an iq: \(element)") }
    return iq
}

/// Parses an `<iq>` view from XML or throws.
func parsedIQ(_ xml: String) throws -> IQ {
    try parsedIQ(try stanzaElement(xml))
}

/// Parses a `<message>` view from XML or throws.
func parsedMessage(_ xml: String) throws -> Message {
    let element = try stanzaElement(xml)
    guard let message = Message(element: element) else { throw UnexpectedParse(description: "not a message: \(xml)") }
    return message
}

/// Parses a `<presence>` view from XML or throws.
func parsedPresence(_ xml: String) throws -> Presence {
    let element = try stanzaElement(xml)
    guard let presence = Presence(element: element) else { throw UnexpectedParse(description: "not a presence: \(xml)") }
    return presence
}
