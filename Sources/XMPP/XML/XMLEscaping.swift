/// Escaping that makes any Swift string safe to place in an XMPP stream.
///
/// RFC 6120 §11.4 requires escaping of `&`, `<`, `>`, `'` and `"` so untrusted text (an
/// incident title, a user's reason) can never close an element or open a new one. XML 1.0 §2.2
/// additionally forbids most C0 controls and U+FFFE/U+FFFF anywhere in a document, even as
/// character references; a peer's parser would abort the whole stream on one, so they are
/// replaced with U+FFFD. Carriage returns, and in attribute values also tabs and newlines, are
/// written as character references so end-of-line handling (XML 1.0 §2.11) and attribute-value
/// normalization (§3.3.3) give the receiver exactly the original string.
enum XMLEscaping {
    /// Appends `text` escaped for element content.
    static func appendText(_ text: String, to output: inout String) {
        append(text, inAttribute: false, to: &output)
    }

    /// Appends `value` escaped for an attribute value delimited by either quote.
    static func appendAttributeValue(_ value: String, to output: inout String) {
        append(value, inAttribute: true, to: &output)
    }

    /// Returns `text` escaped for element content.
    static func escapedText(_ text: String) -> String {
        var output = ""
        appendText(text, to: &output)
        return output
    }

    /// Returns `value` escaped for an attribute value.
    static func escapedAttributeValue(_ value: String) -> String {
        var output = ""
        appendAttributeValue(value, to: &output)
        return output
    }

    /// Whether a scalar may appear in an XML 1.0 document (XML 1.0 §2.2 `Char`).
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    private static func append(_ string: String, inAttribute: Bool, to output: inout String) {
        // Fast path: most text needs no escaping at all.
        if !string.unicodeScalars.contains(where: { needsEscaping($0, inAttribute: inAttribute) }) {
            output += string
            return
        }
        output.reserveCapacity(output.utf8.count + string.utf8.count + 16)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            case "\r": output += "&#13;"
            case "\n" where inAttribute: output += "&#10;"
            case "\t" where inAttribute: output += "&#9;"
            default:
                output.unicodeScalars.append(isAllowed(scalar) ? scalar : "\u{FFFD}")
            }
        }
    }

    private static func needsEscaping(_ scalar: Unicode.Scalar, inAttribute: Bool) -> Bool {
        switch scalar {
        case "&", "<", ">", "\"", "'", "\r": true
        case "\n", "\t": inAttribute
        default: !isAllowed(scalar)
        }
    }
}
