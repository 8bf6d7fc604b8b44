import Foundation

/// Base64 as XMPP carries SASL data (RFC 6120 §6.4.2): an empty payload is written as a
/// single `=`, and "no payload" as an empty element.
public enum SASLPayload {
    /// Encodes a SASL message (such as a SCRAM message) for `<auth>` or `<response>`; the empty
    /// string becomes `=`.
    public static func encode(_ message: String) -> String {
        message.isEmpty ? "=" : Data(message.utf8).base64EncodedString()
    }

    /// Decodes element text back to the SASL message; `=` and the empty string give `""`.
    public static func decode(_ text: String) throws(SASLError) -> String {
        let trimmed = text.trimmingXMLWhitespace()
        if trimmed.isEmpty || trimmed == "=" { return "" }
        guard let data = Data(base64Encoded: trimmed), let string = String(data: data, encoding: .utf8) else {
            throw .invalidBase64("'\(trimmed.prefix(64))'")
        }
        return string
    }
}
