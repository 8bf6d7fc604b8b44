import Testing
@testable import XMPP

@Suite("XML escaping keeps untrusted text inside its element")
struct XMLEscapingTests {
    static let hostileTexts: [String] = [
        "</body><message to='evil@example.com'><body>pwned",
        "]]>",
        "<![CDATA[x]]>",
        "a & b < c > d \"quoted\" 'single'",
        "&amp; already escaped &#x41; &lt;",
        "tab\there\nnewline\r\ncrlf\rcr",
        "control \u{0}\u{1}\u{8}\u{B}\u{C}\u{1F} chars",
        "\u{FFFE}\u{FFFF} non-characters",
        "emoji 🚨 and ünïcödé and RTL \u{202E}",
        "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>&a;",
        "<!-- comment -->",
        "   leading and trailing spaces   ",
        "\u{7F}\u{80}\u{9F} DEL and C1 are allowed",
    ]

    /// What a receiver must see: the text with forbidden characters replaced by U+FFFD and
    /// nothing else changed.
    static func expectedAfterRoundTrip(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            result.unicodeScalars.append(XMLEscaping.isAllowed(scalar) ? scalar : "\u{FFFD}")
        }
        return result
    }

    @Test("hostile body text survives a round trip and cannot inject elements", arguments: hostileTexts)
    func hostileBodyTextRoundTrips(text: String) throws {
        let message = Stanza.message(to: try JID("room@muc.example.com"), type: .groupchat, body: text)
        let parsed = try #require(roundTrip(message))
        #expect(parsed.elementChildren.count == 1)
        #expect(parsed.firstChild(named: "body")?.text == Self.expectedAfterRoundTrip(text))
    }

    @Test("hostile attribute values survive a round trip", arguments: hostileTexts)
    func hostileAttributeValueRoundTrips(text: String) throws {
        let element = XMLElement("iq", namespace: XMPPNamespace.client, attributes: ["id": text, "type": "get"])
        let parsed = try #require(roundTrip(element))
        #expect(parsed[attribute: "id"] == Self.expectedAfterRoundTrip(text))
        #expect(parsed.attributes.count == 2)
    }

    @Test("the five special characters are escaped in text")
    func specialCharactersAreEscapedInText() {
        #expect(XMLEscaping.escapedText("& < > \" '") == "&amp; &lt; &gt; &quot; &apos;")
    }

    @Test("attribute values escape quotes and whitespace that normalization would change")
    func attributeValuesEscapeQuotesAndWhitespace() {
        #expect(XMLEscaping.escapedAttributeValue("a'b\"c\td\ne\rf") == "a&apos;b&quot;c&#9;d&#10;e&#13;f")
    }

    @Test("text keeps tabs and newlines literal but protects carriage returns")
    func textProtectsCarriageReturnOnly() {
        #expect(XMLEscaping.escapedText("a\tb\nc\rd") == "a\tb\nc&#13;d")
    }

    @Test("characters forbidden by XML 1.0 are replaced, not dropped silently")
    func forbiddenCharactersAreReplaced() {
        #expect(XMLEscaping.escapedText("a\u{0}b\u{1B}c\u{FFFF}") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}")
    }

    @Test("plain text is passed through unchanged")
    func plainTextIsUnchanged() {
        let text = "Incident #123 acknowledged by alice — 🚨"
        #expect(XMLEscaping.escapedText(text) == text)
    }

    @Test("invalid element and attribute names are sanitized into valid ones")
    func invalidNamesAreSanitized() throws {
        let element = XMLElement("bad name>", namespace: "urn:x", attributes: ["9lives": "1", "a b": "2"])
        let serialized = element.serialized()
        #expect(serialized == "<bad_name_ xmlns='urn:x' _9lives='1' a_b='2'/>")
        #expect(parseStanza(serialized) != nil)
    }

    @Test("valid non-ASCII names are kept as they are")
    func validNonASCIINamesAreKept() {
        #expect(XMLNameSanitizer.ncName("données-1.x_y") == "données-1.x_y")
    }
}
