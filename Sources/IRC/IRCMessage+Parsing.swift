extension IRCMessage {
    /// The most parameters a message may have (RFC 1459 §2.3.1: 14 middles and a trailing).
    public static let maxParameters = 15

    /// Parses one line without its terminating CR/LF.
    ///
    /// Follows RFC 1459 rather than RFC 2812 in accepting several spaces between fields (as the
    /// ircdocs parser tests do); after 14 middle parameters the rest of the line is the 15th, with
    /// or without `:` (RFC 2812 §2.3.1). The whole line is validated here, so a line that parses
    /// can be read entirely; each field is decoded as UTF-8 or, failing that, Latin-1 when it is
    /// read (``IRCParsedLine``).
    ///
    /// - Parameter limits: byte limits to enforce; pass ``ISupport/lineLimits`` once the server
    ///   has announced `LINELEN`.
    public init(parsing line: some Collection<UInt8>, limits: IRCLineLimits = .standard) throws(IRCParseError) {
        // The line is kept once (an `[UInt8]` argument is shared, not copied); fields become ranges.
        let bytes = Array(line)
        let parsed = try bytes.withUnsafeBufferPointer { (buffer) throws(IRCParseError) -> IRCParsedLine in
            try Self.scan(buffer, bytes: bytes, limits: limits)
        }
        self.init(parsed: parsed)
    }

    /// Validates the line and finds its fields, in the order that decides which error a line
    /// with several faults reports: empty, tag section too long, body too long, forbidden byte,
    /// bad tag section, missing or invalid command.
    private static func scan(
        _ buffer: UnsafeBufferPointer<UInt8>, bytes: [UInt8], limits: IRCLineLimits
    ) throws(IRCParseError) -> IRCParsedLine {
        var index = 0
        let end = buffer.count

        func skipSpaces() {
            while index < end && buffer[index] == WireText.space { index += 1 }
        }
        func skipToken() {
            index = WireText.firstIndex(of: WireText.space, in: buffer, from: index, to: end)
        }

        skipSpaces()
        guard index < end else { throw .emptyLine }

        // Tag section: '@' up to the first space, limited separately from the body.
        var tags = 0..<0
        var hasTags = false
        if buffer[index] == WireText.at {
            let start = index
            skipToken()
            let sectionLength = index - start + 1  // the space that ends it
            guard sectionLength <= limits.tagBytes else {
                throw .lineTooLong(.tags, bytes: sectionLength, limit: limits.tagBytes)
            }
            tags = (start + 1)..<index
            hasTags = true
            if index < end { index += 1 }
        }
        let bodyLength = end - index + 2  // CRLF
        guard bodyLength <= limits.bodyBytes else {
            throw .lineTooLong(.body, bytes: bodyLength, limit: limits.bodyBytes)
        }
        let isASCII = try checkBytes(buffer)

        if hasTags { try validateTags(buffer, tags) }
        skipSpaces()

        var source = 0..<0
        if index < end && buffer[index] == WireText.colon {
            index += 1
            let start = index
            skipToken()
            source = start..<index
            skipSpaces()
        }

        let commandStart = index
        skipToken()
        let commandBytes = UnsafeBufferPointer(rebasing: buffer[commandStart..<index])
        guard !commandBytes.isEmpty else { throw .missingCommand }
        var hasLowercase = false
        for byte in commandBytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"): hasLowercase = true
            default: throw .invalidCommand(WireText.decode(commandBytes))
            }
        }
        let command = hasLowercase
            ? String(decoding: commandBytes.map { $0 >= UInt8(ascii: "a") ? $0 - 0x20 : $0 }, as: UTF8.self)
            : String(decoding: commandBytes, as: UTF8.self)

        let parametersStart = index
        var parameterCount = 0
        while true {
            skipSpaces()
            guard index < end else { break }
            if buffer[index] == WireText.colon || parameterCount == maxParameters - 1 {
                // The trailing parameter, or (RFC 2812) after 14 middles the rest of the line.
                parameterCount += 1
                break
            }
            skipToken()
            parameterCount += 1
        }

        return IRCParsedLine(
            bytes: bytes, tags: tags, source: source, command: command, parametersStart: parametersStart,
            parameterCount: parameterCount, isASCII: isASCII)
    }

    /// Parses a line given as text (tests, configuration, logs).
    public init(parsing line: String, limits: IRCLineLimits = .standard) throws(IRCParseError) {
        try self.init(parsing: Array(line.utf8), limits: limits)
    }

    /// Throws on the first NUL, CR or LF; returns whether every byte is ASCII (which lets fields
    /// skip the Latin-1 fallback check when they are decoded). Eight bytes at a time: a word has a
    /// zero byte when `(w - 0x01…) & ~w & 0x80…` is non-zero (a byte below n when
    /// `(w - n…) & ~w & 0x80…` is), and XOR with a repeated byte turns that byte into zero; only a
    /// word with a hit is looked at byte by byte.
    private static func checkBytes(_ buffer: UnsafeBufferPointer<UInt8>) throws(IRCParseError) -> Bool {
        let ones = WireText.ones
        func hasZeroByte(_ word: UInt64) -> Bool { WireText.hasZeroByte(word) }
        var high: UInt64 = 0
        var index = 0
        let count = buffer.count
        if let base = buffer.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                high |= word
                // Any byte below 0x0E (rare: formatting codes, CTCP's 0x01)? Only then look for
                // the three forbidden ones exactly.
                if (word &- ones &* 0x0E) & ~word & WireText.highs != 0,
                   hasZeroByte(word) || hasZeroByte(word ^ (ones &* UInt64(WireText.lf)))
                    || hasZeroByte(word ^ (ones &* UInt64(WireText.cr))) {
                    break  // the byte loop below finds which byte
                }
                index += 8
            }
        }
        var tail: UInt8 = 0
        while index < count {
            let byte = buffer[index]
            tail |= byte
            if byte == WireText.nul || byte == WireText.cr || byte == WireText.lf {
                throw .forbiddenCharacter(byte)
            }
            index += 1
        }
        return high & WireText.highs == 0 && tail < 0x80
    }

    /// Checks `tag *(';' tag)` without decoding it. Empty entries (a stray `;`) are allowed; a key
    /// that is empty while a value is given, or a section with no tag at all, is an error.
    /// Decoding, unescaping and de-duplication (the last of a repeated key wins, message-tags
    /// §"Rules for naming message tags") happen when tags are read: ``IRCParsedLine/tagValues``.
    private static func validateTags(_ buffer: UnsafeBufferPointer<UInt8>, _ section: Range<Int>) throws(IRCParseError) {
        guard !section.isEmpty else { throw .badTagSection("'@' is not followed by any tag") }
        var entryStart = section.lowerBound
        while entryStart < section.upperBound {
            if buffer[entryStart] == WireText.equals {
                throw .badTagSection("a tag has a value but no name")
            }
            entryStart = WireText.firstIndex(of: WireText.semicolon, in: buffer, from: entryStart, to: section.upperBound) + 1
        }
    }
}
