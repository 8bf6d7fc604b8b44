/// Turning wire bytes into Swift strings and back.
///
/// IRC has no declared encoding: RFC 2812 §2.2 calls the protocol octet-based. Modern networks
/// send UTF-8, older clients still send Latin-1 or CP1252. Each field is decoded on its own as
/// UTF-8 and, only if that fails, as Latin-1 (every byte maps to U+0000–U+00FF), so one
/// legacy client's nick cannot garble the rest of the line and decoding can never fail.
enum WireText {
    static func decode(_ bytes: some Collection<UInt8>) -> String {
        // Contiguous bytes (every caller's case) validate through the buffer fast path instead of
        // element by element through the generic collection.
        let validated = bytes.withContiguousStorageIfAvailable { String(validating: $0, as: UTF8.self) }
        if let text = validated ?? String(validating: bytes, as: UTF8.self) {
            return text
        }
        var text = String.UnicodeScalarView()
        for byte in bytes {
            text.append(Unicode.Scalar(byte))
        }
        return String(text)
    }

    static let nul: UInt8 = 0x00
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let equals: UInt8 = 0x3D
    static let at: UInt8 = 0x40
    static let backslash: UInt8 = 0x5C
}
