/// Cuts a byte stream from a server into lines.
///
/// RFC 1459 §2.3 ends messages with CRLF, but servers and bouncers also send a bare LF
/// (modern.ircdocs.horse, "Messages"), so a line ends at LF and a CR right before it is removed.
/// Empty lines are skipped, as the RFC allows. A peer that never sends LF must not make us buffer
/// without bound: once more than ``maxLineBytes`` are pending the framer throws
/// ``IRCParseError/lineTooLong(_:bytes:limit:)`` once, then drops bytes up to the next LF so the
/// connection can carry on with the following line.
public struct IRCLineFramer: Sendable {
    /// The longest line accepted, CR LF included (by default 8191 tag bytes + 512 body bytes).
    public let maxLineBytes: Int

    private var buffer: [UInt8] = []
    /// Start of the first unread byte in `buffer`.
    private var start = 0
    /// Bytes before this index (and after `start`) are known to contain no LF.
    private var scanned = 0
    /// True while dropping the remainder of a line that was reported as too long.
    private var discarding = false

    public init(maxLineBytes: Int = IRCLineLimits.standard.framedLineBytes) {
        self.maxLineBytes = max(1, maxLineBytes)
    }

    /// Bytes received but not yet returned as a line.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Adds bytes read from the connection.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete, non-empty line without its CR/LF, or `nil` when more bytes are needed.
    ///
    /// After a throw the framer is still usable: call again to get the lines that follow.
    public mutating func nextLine() throws(IRCParseError) -> [UInt8]? {
        while true {
            guard let lf = buffer[scanned...].firstIndex(of: WireText.lf) else {
                scanned = buffer.count
                let pending = buffer.count - start
                if discarding {
                    dropConsumed(upTo: buffer.count)
                    return nil
                }
                if pending > maxLineBytes {
                    dropConsumed(upTo: buffer.count)
                    discarding = true
                    throw .lineTooLong(.line, bytes: pending, limit: maxLineBytes)
                }
                dropConsumed(upTo: start)
                return nil
            }

            let lineStart = start
            start = lf + 1
            scanned = start
            if discarding {
                discarding = false
                continue
            }
            let length = lf + 1 - lineStart
            if length > maxLineBytes {
                throw .lineTooLong(.line, bytes: length, limit: maxLineBytes)
            }
            var end = lf
            if end > lineStart && buffer[end - 1] == WireText.cr { end -= 1 }
            if end == lineStart { continue }
            let line = Array(buffer[lineStart..<end])
            if start > 4096 && start * 2 > buffer.count { dropConsumed(upTo: start) }
            return line
        }
    }

    /// Forgets everything before `index`, keeping indices consistent.
    private mutating func dropConsumed(upTo index: Int) {
        guard index > 0 else { return }
        buffer.removeSubrange(0..<index)
        start = max(0, start - index)
        scanned = max(0, scanned - index)
    }
}
