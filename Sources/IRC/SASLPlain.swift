/// SASL PLAIN (RFC 4616) over the IRCv3 `sasl` capability (ircv3.net "SASL 3.1").
///
/// After `AUTHENTICATE PLAIN` and the server's `AUTHENTICATE +`, the client sends
/// base64(`authzid NUL authcid NUL password`) as `AUTHENTICATE <chunk>` lines of at most 400
/// bytes. A chunk shorter than 400 ends the payload; if the last one is exactly 400 bytes (or the
/// payload is empty) a lone `+` must follow so the server knows nothing more is coming.
public enum SASLPlain {
    /// The largest chunk the IRCv3 SASL specification allows in one AUTHENTICATE line.
    public static let chunkSize = 400

    /// The AUTHENTICATE arguments to send, in order (without the `AUTHENTICATE ` command).
    ///
    /// NUL separates the fields (RFC 4616 §2), so any NUL inside them is removed; such a value
    /// could not be valid anyway, and passing it through would shift the fields.
    /// - Parameter authzid: identity to act as; empty (the usual case) means the same as authcid.
    public static func authenticateLines(authzid: String = "", authcid: String, password: String) -> [String] {
        var message: [UInt8] = []
        message.append(contentsOf: authzid.utf8.filter { $0 != 0 })
        message.append(0)
        message.append(contentsOf: authcid.utf8.filter { $0 != 0 })
        message.append(0)
        message.append(contentsOf: password.utf8.filter { $0 != 0 })
        return chunks(ofBase64: Base64.encode(message))
    }

    /// Splits an already base64-encoded payload into AUTHENTICATE arguments (shared with other
    /// mechanisms such as EXTERNAL, whose payload is empty and becomes a single `+`).
    public static func chunks(ofBase64 payload: String) -> [String] {
        let bytes = Array(payload.utf8)
        var lines: [String] = []
        var index = 0
        while index < bytes.count {
            let end = min(index + chunkSize, bytes.count)
            lines.append(String(decoding: bytes[index..<end], as: UTF8.self))
            index = end
        }
        if bytes.isEmpty || bytes.count % chunkSize == 0 {
            lines.append("+")
        }
        return lines
    }
}

/// Standard base64 with padding (RFC 4648 §4), kept here so the codec needs no Foundation `Data`.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(alphabet[Int(value >> 6 & 63)])
            out.append(alphabet[Int(value & 63)])
            index += 3
        }
        let remaining = bytes.count - index
        if remaining == 1 {
            let value = UInt32(bytes[index]) << 16
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(contentsOf: "==".utf8)
        } else if remaining == 2 {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(alphabet[Int(value >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
