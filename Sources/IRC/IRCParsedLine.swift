/// A received line kept once, as its bytes, with where each field lies in it.
///
/// Parsing a line (``IRCMessage/init(parsing:limits:)``) validates it completely — limits,
/// forbidden bytes, the tag section, the command — but turns only the command into a `String`.
/// The other fields stay byte ranges until they are read: most lines a bot receives are looked at
/// for their command, a parameter or two and one tag, so decoding (UTF-8 validation, the Latin-1
/// fallback of ``WireText``), tag unescaping and de-duplication are paid for what is read only.
///
/// Offsets index `bytes`; an empty range means "absent" (a present tag section or source is never
/// empty: an empty one is an error or not a source, see the parser).
struct IRCParsedLine: Sendable {
    /// The whole line, without CR/LF.
    let bytes: [UInt8]
    /// The tag section without its `@`.
    let tags: Range<Int>
    /// The source without its `:`.
    let source: Range<Int>
    /// The command, upper-cased (ASCII letters and digits only, checked by the parser).
    let command: String
    /// Where parameter scanning resumes: right after the command.
    let parametersStart: Int
    /// How many parameters ``forEachParameter(_:)`` yields (at most ``IRCMessage/maxParameters``).
    let parameterCount: Int
    /// Every byte of the line is ASCII, so each field decodes as UTF-8 without a Latin-1 fallback.
    let isASCII: Bool

    // MARK: Fields as text

    func text(_ range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { buffer in
            let field = UnsafeBufferPointer(rebasing: buffer[range])
            return isASCII ? String(decoding: field, as: UTF8.self) : WireText.decode(field)
        }
    }

    var sourceValue: IRCSource? {
        source.isEmpty ? nil : IRCSource(raw: text(source))
    }

    var parameters: [String] {
        var out: [String] = []
        out.reserveCapacity(parameterCount)
        forEachParameter { range in out.append(text(range)) }
        return out
    }

    func parameter(_ position: Int) -> String? {
        guard position >= 0 && position < parameterCount else { return nil }
        var found: Range<Int>?
        var seen = 0
        forEachParameter { range in
            if seen == position { found = range }
            seen += 1
        }
        return found.map(text)
    }

    /// Calls `body` with the range of each parameter, in order, following the parser's rules:
    /// runs of spaces separate middles; `:` starts the trailing parameter (the rest of the line);
    /// after 14 middles the rest of the line is the 15th (RFC 2812 §2.3.1).
    func forEachParameter(_ body: (Range<Int>) -> Void) {
        bytes.withUnsafeBufferPointer { buffer in
            let end = buffer.count
            var index = parametersStart
            var count = 0
            while true {
                while index < end && buffer[index] == WireText.space { index += 1 }
                guard index < end else { return }
                if buffer[index] == WireText.colon {
                    body((index + 1)..<end)
                    return
                }
                if count == IRCMessage.maxParameters - 1 {
                    body(index..<end)
                    return
                }
                let start = index
                index = WireText.firstIndex(of: WireText.space, in: buffer, from: index, to: end)
                body(start..<index)
                count += 1
            }
        }
    }

    // MARK: Tags

    /// Calls `body` with each non-empty `key[=value]` entry of the tag section, in order (`value`
    /// is `nil` without `=`). Stray `;` make empty entries, which are skipped.
    func forEachTag(_ body: (_ key: Range<Int>, _ value: Range<Int>?) -> Void) {
        guard !tags.isEmpty else { return }
        bytes.withUnsafeBufferPointer { buffer in
            var index = tags.lowerBound
            let end = tags.upperBound
            while index < end {
                let start = index
                index = WireText.firstIndex(of: WireText.semicolon, in: buffer, from: index, to: end)
                if index > start {
                    let equals = WireText.firstIndex(of: WireText.equals, in: buffer, from: start, to: index)
                    body(start..<equals, equals < index ? (equals + 1)..<index : nil)
                }
                index += 1  // the ';'
            }
        }
    }

    /// All tags, decoded, unescaped and de-duplicated exactly as ``IRCMessage/tags`` documents.
    var tagValues: [IRCTag] {
        guard !tags.isEmpty else { return [] }
        var all: [IRCTag] = []
        forEachTag { key, value in
            all.append(IRCTag(key: text(key), value: value.map(tagValue)))
        }
        return IRCTag.keepingLastOfEachKey(all)
    }

    /// The value of the last tag named `key` (what ``IRCMessage/tag(_:)`` returns): `nil` when
    /// absent, `""` when present without a value. Only that one value is unescaped and decoded.
    func tag(_ key: String) -> String? {
        guard !tags.isEmpty else { return nil }
        var wanted = key
        let match: Range<Int>?? = wanted.withUTF8 { wanted in
            let wantedASCII = wanted.allSatisfy { $0 < 0x80 }
            var match: Range<Int>??
            forEachTag { keyRange, value in
                if keyEquals(keyRange, wanted, wantedASCII: wantedASCII, key) { match = .some(value) }
            }
            return match
        }
        guard let match else { return nil }
        return match.map(tagValue) ?? ""
    }

    /// Whether the key bytes decode to a string equal to `key` (whose UTF-8 is `wanted`).
    /// Comparing bytes is exact when both are ASCII; otherwise `String`'s equality (canonical
    /// equivalence) decides, as it did when keys were always decoded.
    private func keyEquals(
        _ range: Range<Int>, _ wanted: UnsafeBufferPointer<UInt8>, wantedASCII: Bool, _ key: String
    ) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            let field = UnsafeBufferPointer(rebasing: buffer[range])
            if field.count == wanted.count {
                var same = true
                for offset in 0..<field.count where field[offset] != wanted[offset] {
                    same = false
                    break
                }
                if same { return true }
            }
            if wantedASCII && (isASCII || field.allSatisfy { $0 < 0x80 }) { return false }
            return WireText.decode(field) == key
        }
    }

    private func tagValue(_ range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { buffer in
            let field = UnsafeBufferPointer(rebasing: buffer[range])
            guard field.contains(WireText.backslash) else {
                return isASCII ? String(decoding: field, as: UTF8.self) : WireText.decode(field)
            }
            return WireText.decode(IRCTag.unescape(field))
        }
    }
}
