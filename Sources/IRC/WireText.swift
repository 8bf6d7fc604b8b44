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

    /// The index of the first `byte` in `buffer[start..<end]`, or `end`. Eight bytes at a time:
    /// XOR with the repeated byte turns matches into zero bytes, and `(w - 0x01…) & ~w & 0x80…`
    /// marks zero bytes; the lowest mark is exact (borrows only run upwards from a real zero).
    static func firstIndex(of byte: UInt8, in buffer: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        var index = start
        if let base = buffer.baseAddress {
            let raw = UnsafeRawPointer(base)
            let pattern = ones &* UInt64(byte)
            while index + 8 <= end {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) ^ pattern
                let marks = (word &- ones) & ~word & highs
                if marks != 0 { return index + marks.trailingZeroBitCount >> 3 }
                index += 8
            }
        }
        while index < end && buffer[index] != byte { index += 1 }
        return index
    }

    /// Whether `word` has a zero byte (the test ``firstIndex(of:in:from:to:)`` is built on).
    static func hasZeroByte(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }

    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

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
