/// Cuts long text into PRIVMSG/NOTICE-sized pieces.
///
/// The server relays `:nick!user@host PRIVMSG #chan :text\r\n` to everyone else, and that whole
/// line must fit in 512 bytes (RFC 1459 §2.3) — so the room for text depends on our own
/// hostmask and the target, see ``textBudget(target:command:selfPrefix:lineLength:tags:)``.
/// A cut must never fall inside a UTF-8 sequence (the halves would arrive as mojibake), and
/// should not fall inside a grapheme (an emoji with modifiers) or a word.
public struct IRCLineSplitter: Sendable {
    /// Splits `text` into chunks of at most `budget` UTF-8 bytes each.
    ///
    /// - Cuts fall between Characters (extended grapheme clusters), preferably at the last space
    ///   that fits; the spaces at a cut are dropped, elsewhere spacing is preserved.
    /// - A word longer than the budget is cut between Characters; a single Character longer than
    ///   the budget (a long emoji sequence) is cut between its Unicode scalars.
    /// - No chunk is empty and none exceeds `budget`. Text that fits is returned unchanged as one
    ///   chunk; empty text gives no chunks. With a budget below 4 bytes a scalar that cannot fit is
    ///   sent as `?` rather than breaking the limit (real budgets are hundreds of bytes).
    public static func split(_ text: String, budget: Int) -> [String] {
        guard budget > 0, !text.isEmpty else { return [] }
        if text.utf8.count <= budget { return [text] }

        let characters = Array(text)
        let sizes = characters.map { $0.utf8.count }
        var chunks: [String] = []
        var start = 0
        let count = characters.count

        while start < count {
            // Greedy: the longest run of whole Characters that fits.
            var end = start
            var used = 0
            while end < count, used + sizes[end] <= budget {
                used += sizes[end]
                end += 1
            }
            if end == count {
                chunks.append(String(characters[start..<end]))
                break
            }
            if end == start {
                // One Character larger than the whole budget.
                chunks.append(contentsOf: splitScalars(characters[start], budget: budget))
                start += 1
                while start < count, characters[start] == " " { start += 1 }
                continue
            }

            var cut = end
            if characters[end] != " " {
                // Prefer the last space inside the chunk (not at its very start).
                if let space = characters[(start + 1)..<end].lastIndex(of: " ") {
                    cut = space
                }
            }
            // Drop spaces at the end of the chunk and at the start of the next one.
            var chunkEnd = cut
            while chunkEnd > start, characters[chunkEnd - 1] == " " { chunkEnd -= 1 }
            if chunkEnd == start { chunkEnd = cut }  // a chunk of only spaces stays as it is
            chunks.append(String(characters[start..<chunkEnd]))
            start = cut
            while start < count, characters[start] == " " { start += 1 }
        }
        return chunks
    }

    /// Splits one oversized Character between its scalars.
    private static func splitScalars(_ character: Character, budget: Int) -> [String] {
        var pieces: [String] = []
        var current = String.UnicodeScalarView()
        var used = 0
        for scalar in character.unicodeScalars {
            var scalar = scalar
            var size = UTF8.width(scalar)
            if size > budget {
                scalar = "?"
                size = 1
            }
            if used + size > budget {
                pieces.append(String(current))
                current = String.UnicodeScalarView()
                used = 0
            }
            current.append(scalar)
            used += size
        }
        if !current.isEmpty { pieces.append(String(current)) }
        return pieces
    }

    /// Bytes left for the text of one message:
    /// `lineLength − len(":selfPrefix COMMAND target :") − 2` (CRLF).
    ///
    /// - Parameters:
    ///   - target: the channel or nick the message goes to.
    ///   - command: `PRIVMSG` or `NOTICE`.
    ///   - selfPrefix: our own `nick!user@host` as the server will relay it (learn it from the
    ///     echo of a message, `RPL_VISIBLEHOST` or WHO). When unknown pass
    ///     ``pessimisticPrefix(nick:user:)``: `nick!~user@` and a 63-byte host, the longest a DNS
    ///     label-limited cloak usually gets.
    ///   - lineLength: the server's `LINELEN` (``ISupport/lineLength``), 512 by default.
    ///   - tags: the tags we will attach, if any. Per IRCv3 message-tags they have their own
    ///     8191-byte allowance (4094 for client-only tags) and do not reduce the text budget; the
    ///     parameter exists so call sites can pass what they send without special-casing.
    public static func textBudget(
        target: String,
        command: String = "PRIVMSG",
        selfPrefix: String,
        lineLength: Int = 512,
        tags: String? = nil
    ) -> Int {
        let overhead = 1 + selfPrefix.utf8.count + 1 + command.utf8.count + 1 + target.utf8.count + 2
        return max(0, lineLength - overhead - 2)
    }

    /// A prefix at least as long as the one the server will relay when we do not know our host:
    /// `nick!~user@` followed by 63 bytes of host (`user` defaults to `nick`).
    public static func pessimisticPrefix(nick: String, user: String? = nil) -> String {
        "\(nick)!~\(user ?? nick)@" + String(repeating: "x", count: 63)
    }
}
