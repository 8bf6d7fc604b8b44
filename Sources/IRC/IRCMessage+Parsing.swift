extension IRCMessage {
    /// The most parameters a message may have (RFC 1459 §2.3.1: 14 middles and a trailing).
    public static let maxParameters = 15

    /// Parses one line without its terminating CR/LF.
    ///
    /// Follows RFC 1459 rather than RFC 2812 in accepting several spaces between fields (as the
    /// ircdocs parser tests do); after 14 middle parameters the rest of the line is the 15th, with
    /// or without `:` (RFC 2812 §2.3.1). Each field is decoded as UTF-8 or, failing that, Latin-1.
    ///
    /// - Parameter limits: byte limits to enforce; pass ``ISupport/lineLimits`` once the server
    ///   has announced `LINELEN`.
    public init(parsing line: some Collection<UInt8>, limits: IRCLineLimits = .standard) throws(IRCParseError) {
        let bytes = Array(line)
        var index = 0
        let end = bytes.count

        func skipSpaces() {
            while index < end && bytes[index] == WireText.space { index += 1 }
        }
        func token() -> ArraySlice<UInt8> {
            let start = index
            while index < end && bytes[index] != WireText.space { index += 1 }
            return bytes[start..<index]
        }

        skipSpaces()
        guard index < end else { throw .emptyLine }

        // Tag section: '@' up to the first space, limited separately from the body.
        var tagBytes: ArraySlice<UInt8>?
        if bytes[index] == WireText.at {
            let start = index
            let section = token()
            let sectionLength = section.count + 1  // the space that ends it
            guard sectionLength <= limits.tagBytes else {
                throw .lineTooLong(.tags, bytes: sectionLength, limit: limits.tagBytes)
            }
            tagBytes = bytes[(start + 1)..<index]
            if index < end { index += 1 }
        }
        let bodyLength = end - index + 2  // CRLF
        guard bodyLength <= limits.bodyBytes else {
            throw .lineTooLong(.body, bytes: bodyLength, limit: limits.bodyBytes)
        }
        if let forbidden = bytes.first(where: { $0 == WireText.nul || $0 == WireText.cr || $0 == WireText.lf }) {
            throw .forbiddenCharacter(forbidden)
        }

        let tags = try Self.parseTags(tagBytes)
        skipSpaces()

        var source: IRCSource?
        if index < end && bytes[index] == WireText.colon {
            index += 1
            let raw = token()
            if !raw.isEmpty { source = IRCSource(raw: WireText.decode(raw)) }
            skipSpaces()
        }

        let commandBytes = token()
        guard !commandBytes.isEmpty else { throw .missingCommand }
        guard commandBytes.allSatisfy(Self.isCommandByte) else {
            throw .invalidCommand(WireText.decode(commandBytes))
        }

        var parameters: [String] = []
        while true {
            skipSpaces()
            guard index < end else { break }
            if bytes[index] == WireText.colon {
                parameters.append(WireText.decode(bytes[(index + 1)..<end]))
                break
            }
            if parameters.count == Self.maxParameters - 1 {
                // RFC 2812: after 14 middles the rest of the line is the last parameter.
                parameters.append(WireText.decode(bytes[index..<end]))
                break
            }
            parameters.append(WireText.decode(token()))
        }

        self.tags = tags
        self.source = source
        self.command = Self.uppercasedASCII(WireText.decode(commandBytes))
        self.parameters = parameters
    }

    /// Parses a line given as text (tests, configuration, logs).
    public init(parsing line: String, limits: IRCLineLimits = .standard) throws(IRCParseError) {
        try self.init(parsing: Array(line.utf8), limits: limits)
    }

    private static func isCommandByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// Splits `tag *(';' tag)`. Empty entries (a stray `;`) are skipped; a key that is empty
    /// while a value is given, or a section with no tag at all, is an error. Duplicate keys keep
    /// the last value, as message-tags §"Rules for naming message tags" asks parsers to do.
    private static func parseTags(_ section: ArraySlice<UInt8>?) throws(IRCParseError) -> [IRCTag] {
        guard let section else { return [] }
        guard !section.isEmpty else { throw .badTagSection("'@' is not followed by any tag") }
        var tags: [IRCTag] = []
        for entry in section.split(separator: WireText.semicolon, omittingEmptySubsequences: true) {
            let keyBytes: ArraySlice<UInt8>
            var value: String?
            if let equals = entry.firstIndex(of: WireText.equals) {
                keyBytes = entry[entry.startIndex..<equals]
                value = WireText.decode(IRCTag.unescape(entry[(equals + 1)...]))
            } else {
                keyBytes = entry
            }
            guard !keyBytes.isEmpty else {
                throw .badTagSection("a tag has a value but no name")
            }
            tags.append(IRCTag(key: WireText.decode(keyBytes), value: value))
        }
        // Keep the last occurrence of each key, in its position. Real lines carry a handful of
        // tags: comparing keys pairwise is cheaper there than hashing every key into a Set.
        if tags.count <= 16 {
            return tags.indices.filter { i in !tags[(i + 1)...].contains { $0.key == tags[i].key } }.map { tags[$0] }
        }
        var seen = Set<String>()
        var unique: [IRCTag] = []
        for tag in tags.reversed() where seen.insert(tag.key).inserted {
            unique.append(tag)
        }
        return unique.reversed()
    }
}
