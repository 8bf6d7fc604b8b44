// libFuzzer entry point for the IRC codec (see integration-tests/fuzz.sh irc).
//
// Built with `swiftc -sanitize=fuzzer -parse-as-library` together with Sources/IRC/*.swift in one
// module, so `import IRC` is only needed when built as a separate target.
#if canImport(IRC)
import IRC
#endif

/// Feeds arbitrary bytes through the framer and the parser and checks the codec's promises:
/// - the parser (which keeps the line and decodes fields when read) accepts and rejects exactly
///   what the eager reference parser below does, with the same error, and every field read —
///   whole (`parameters`, `tags`, `source`) or one at a time (`parameter(_:)`, `tag(_:)`,
///   `source.nick/user/host`) — equals the reference's; a message built from those fields is
///   equal to the parsed one and hashes the same;
/// - every parsed message serializes to bytes without CR, LF or NUL, that parse back (without
///   length limits: UTF-8 re-encoding of Latin-1 input may grow a line) to an equal message,
///   and serialize again to the same bytes;
/// - the line splitter never makes an empty or over-budget chunk and loses only spaces at cuts;
/// - sanitized text never contains a line break, NUL or CTCP delimiter;
/// - ISUPPORT, CAP and CTCP parsing of any message does not crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)

    var framer = IRCLineFramer(maxLineBytes: 1024)
    framer.append(bytes)
    var support = ISupport()
    while true {
        let line: [UInt8]
        do {
            guard let next = try framer.nextLine() else { break }
            line = next
        } catch {
            _ = error.description
            continue
        }
        checkLine(line, support: &support)
    }
    // The whole input as one line too (it may contain CR/LF/NUL: must be rejected, not crash).
    checkLine(Array(bytes), support: &support)
    checkText(bytes)
    return 0
}

private func checkLine(_ line: [UInt8], support: inout ISupport) {
    let message: IRCMessage
    let reference = ReferenceParse(line)
    do {
        message = try IRCMessage(parsing: line)
    } catch {
        guard case .failure(let expected) = reference, expected == error else {
            fatalError("parser threw \(error), the reference gave \(reference): \(line)")
        }
        _ = error.description
        return
    }
    guard case .success(let fields) = reference else {
        fatalError("parser accepted a line the reference rejects (\(reference)): \(line)")
    }
    checkFields(message, fields, line)
    let wire = message.serialized()
    if wire.contains(where: { $0 == 0x00 || $0 == 0x0A || $0 == 0x0D }) {
        fatalError("serialized message contains CR, LF or NUL: \(wire)")
    }
    let again: IRCMessage
    do {
        again = try IRCMessage(parsing: wire, limits: .unlimited)
    } catch {
        fatalError("serialized message does not parse (\(error)): \(message.wireLine.debugDescription)")
    }
    guard again == message else {
        fatalError("round trip changed the message:\n  \(message)\n  \(again)\n  \(message.tags) \(again.tags)")
    }
    guard again.serialized() == wire else {
        fatalError("serialization is not stable: \(message.wireLine.debugDescription)")
    }

    support.apply(message)
    _ = (support.caseMapping, support.prefix, support.targMax, support.chanLimit, support.lineLength)
    _ = support.maxTargets(for: message.command)
    _ = CapabilityList(message)
    _ = (message.serverTime, message.account, message.msgid, message.source?.isServer)
    if let text = message.parameters.last {
        _ = CTCP.parse(text)
        _ = support.caseMapping.fold(text)
    }
}

private func checkText(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let first = bytes.first else { return }
    let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
    let budget = Int(first % 64) + 1
    let chunks = IRCLineSplitter.split(text, budget: budget)
    for chunk in chunks where chunk.isEmpty || chunk.utf8.count > budget {
        fatalError("splitter produced a chunk of \(chunk.utf8.count) bytes for budget \(budget)")
    }
    if budget >= 4 && chunks.joined().filter({ $0 != " " }) != text.filter({ $0 != " " }) {
        fatalError("splitter lost text for budget \(budget): \(text.debugDescription)")
    }

    let clean = IRCText.sanitize(text)
    if clean.utf8.contains(where: { $0 == 0x00 || $0 == 0x01 || $0 == 0x0A || $0 == 0x0D }) {
        fatalError("sanitize left a forbidden byte: \(clean.debugDescription)")
    }
    let stripped = IRCText.stripFormatting(text)
    if IRCText.stripFormatting(stripped) != stripped {
        fatalError("stripFormatting is not idempotent: \(text.debugDescription)")
    }
    let encoded = CTCP.encode(command: "PING", argument: text)
    if CTCP.parse(encoded)?.command != "PING" {
        fatalError("CTCP encode/parse mismatch: \(text.debugDescription)")
    }
}

/// Compares every way of reading a parsed message with the reference's eagerly decoded fields.
private func checkFields(_ message: IRCMessage, _ fields: ReferenceParse.Fields, _ line: [UInt8]) {
    func fail(_ what: String) -> Never { fatalError("\(what) differs from the reference for \(line)") }
    if message.command != fields.command { fail("command") }
    if message.parameters != fields.parameters || message.parameterCount != fields.parameters.count { fail("parameters") }
    for position in -1...(fields.parameters.count) {
        let expected = fields.parameters.indices.contains(position) ? fields.parameters[position] : nil
        if message.parameter(position) != expected { fail("parameter(\(position))") }
    }
    if message.tags != fields.tags { fail("tags") }
    for tag in fields.tags where message.tag(tag.key) != (tag.value ?? "") { fail("tag(\(tag.key))") }
    if !fields.tags.contains(where: { $0.key == "fuzz-absent" }) && message.tag("fuzz-absent") != nil { fail("absent tag") }
    let source = message.source
    if source?.raw != fields.source?.raw || source?.nick != fields.source?.nick || source?.user != fields.source?.user
        || source?.host != fields.source?.host {
        fail("source")
    }
    let built = IRCMessage(command: fields.command, parameters: fields.parameters, tags: fields.tags,
                           source: fields.source.map { IRCSource(raw: $0.raw) })
    if built != message || message != built || built.hashValue != message.hashValue { fail("equality with the built message") }
}

/// The eager parser that decoded every field while parsing (before fields became ranges), kept
/// as the specification the range-based parser is checked against.
enum ReferenceParse: CustomStringConvertible {
    struct Source: Equatable { var raw, nick: String; var user, host: String? }
    struct Fields { var tags: [IRCTag]; var source: Source?; var command: String; var parameters: [String] }
    case success(Fields)
    case failure(IRCParseError)

    var description: String {
        switch self {
        case .success(let fields): return "\(fields)"
        case .failure(let error): return "\(error)"
        }
    }

    init(_ bytes: [UInt8], limits: IRCLineLimits = .standard) {
        do throws(IRCParseError) {
            self = .success(try Self.parse(bytes, limits: limits))
        } catch {
            self = .failure(error)
        }
    }

    private static func parse(_ bytes: [UInt8], limits: IRCLineLimits) throws(IRCParseError) -> Fields {
        var index = 0
        let end = bytes.count
        func skipSpaces() { while index < end && bytes[index] == 0x20 { index += 1 } }
        func token() -> ArraySlice<UInt8> {
            let start = index
            while index < end && bytes[index] != 0x20 { index += 1 }
            return bytes[start..<index]
        }
        skipSpaces()
        guard index < end else { throw .emptyLine }
        var tagBytes: ArraySlice<UInt8>?
        if bytes[index] == UInt8(ascii: "@") {
            let start = index
            let section = token()
            let sectionLength = section.count + 1
            guard sectionLength <= limits.tagBytes else { throw .lineTooLong(.tags, bytes: sectionLength, limit: limits.tagBytes) }
            tagBytes = bytes[(start + 1)..<index]
            if index < end { index += 1 }
        }
        let bodyLength = end - index + 2
        guard bodyLength <= limits.bodyBytes else { throw .lineTooLong(.body, bytes: bodyLength, limit: limits.bodyBytes) }
        if let forbidden = bytes.first(where: { $0 == 0 || $0 == 0x0D || $0 == 0x0A }) { throw .forbiddenCharacter(forbidden) }

        var tags: [IRCTag] = []
        if let section = tagBytes {
            guard !section.isEmpty else { throw .badTagSection("'@' is not followed by any tag") }
            for entry in section.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: true) {
                var key = entry
                var value: String?
                if let equals = entry.firstIndex(of: UInt8(ascii: "=")) {
                    key = entry[entry.startIndex..<equals]
                    value = WireText.decode(IRCTag.unescape(entry[(equals + 1)...]))
                }
                guard !key.isEmpty else { throw .badTagSection("a tag has a value but no name") }
                tags.append(IRCTag(key: WireText.decode(key), value: value))
            }
            var seen = Set<String>()
            var unique: [IRCTag] = []
            for tag in tags.reversed() where seen.insert(tag.key).inserted { unique.append(tag) }
            tags = unique.reversed()
        }
        skipSpaces()
        var source: Source?
        if index < end && bytes[index] == UInt8(ascii: ":") {
            index += 1
            let raw = token()
            if !raw.isEmpty { source = splitSource(WireText.decode(raw)) }
            skipSpaces()
        }
        let commandBytes = token()
        guard !commandBytes.isEmpty else { throw .missingCommand }
        let isCommandByte: (UInt8) -> Bool = { byte in
            (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
        }
        guard commandBytes.allSatisfy(isCommandByte) else { throw .invalidCommand(WireText.decode(commandBytes)) }
        var parameters: [String] = []
        while true {
            skipSpaces()
            guard index < end else { break }
            if bytes[index] == UInt8(ascii: ":") {
                parameters.append(WireText.decode(bytes[(index + 1)..<end]))
                break
            }
            if parameters.count == IRCMessage.maxParameters - 1 {
                parameters.append(WireText.decode(bytes[index..<end]))
                break
            }
            parameters.append(WireText.decode(token()))
        }
        let command = String(decoding: commandBytes.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self)
        return Fields(tags: tags, source: source, command: command, parameters: parameters)
    }

    /// The eager `nick!user@host` split on scalars, with empty parts as `nil`.
    private static func splitSource(_ raw: String) -> Source {
        let scalars = raw.unicodeScalars
        var nickEnd = scalars.endIndex
        var user: String?
        var host: String?
        if let at = scalars.firstIndex(of: "@") {
            nickEnd = at
            let value = String(scalars[scalars.index(after: at)...])
            host = value.isEmpty ? nil : value
        }
        if let bang = scalars[..<nickEnd].firstIndex(of: "!") {
            let value = String(scalars[scalars.index(after: bang)..<nickEnd])
            user = value.isEmpty ? nil : value
            nickEnd = bang
        }
        return Source(raw: raw, nick: String(scalars[..<nickEnd]), user: user, host: host)
    }
}
