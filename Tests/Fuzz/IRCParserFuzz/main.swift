// libFuzzer entry point for the IRC codec (see integration-tests/fuzz.sh irc).
//
// Built with `swiftc -sanitize=fuzzer -parse-as-library` together with Sources/IRC/*.swift in one
// module, so `import IRC` is only needed when built as a separate target.
#if canImport(IRC)
import IRC
#endif

/// Feeds arbitrary bytes through the framer and the parser and checks the codec's promises:
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
    do {
        message = try IRCMessage(parsing: line)
    } catch {
        _ = error.description
        return
    }
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
