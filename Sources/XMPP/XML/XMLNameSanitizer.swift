/// Keeps element and attribute names well-formed when they are written out.
///
/// Names normally come from code (`"message"`) or from the parser, which only yields valid
/// names, so this is a guard against programming errors: an invalid name would otherwise make
/// the whole stream unparseable for the peer. Characters outside XML 1.0 (5th edition)
/// `NameChar` become `_`, and a name not starting with a `NameStartChar` gets a `_` in front.
enum XMLNameSanitizer {
    /// Returns `name` as a valid colon-free XML name (an NCName, Namespaces in XML 1.0 §3).
    static func ncName(_ name: String) -> String {
        guard !name.isEmpty else { return "_" }
        var needsFix = false
        for (offset, scalar) in name.unicodeScalars.enumerated() {
            let valid = offset == 0 ? isNameStart(scalar) : isNameChar(scalar)
            if !valid { needsFix = true; break }
        }
        guard needsFix else { return name }
        var result = ""
        for (offset, scalar) in name.unicodeScalars.enumerated() {
            if offset == 0, !isNameStart(scalar) {
                result += "_"
                if isNameChar(scalar) { result.unicodeScalars.append(scalar) }
                continue
            }
            result.unicodeScalars.append(isNameChar(scalar) ? scalar : "_")
        }
        return result
    }

    /// `NameStartChar` without the colon (XML 1.0 5th edition §2.3).
    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0x5F: true
        case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D, 0x37F...0x1FFF,
             0x200C...0x200D, 0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF,
             0xF900...0xFDCF, 0xFDF0...0xFFFD, 0x10000...0xEFFFF: true
        default: false
        }
    }

    /// `NameChar` without the colon (XML 1.0 5th edition §2.3).
    static func isNameChar(_ scalar: Unicode.Scalar) -> Bool {
        if isNameStart(scalar) { return true }
        switch scalar.value {
        case 0x2D, 0x2E, 0x30...0x39, 0xB7, 0x300...0x36F, 0x203F...0x2040: return true
        default: return false
        }
    }
}
