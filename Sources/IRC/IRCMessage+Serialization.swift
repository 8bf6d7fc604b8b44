extension IRCMessage {
    /// The message as wire bytes, without the terminating CRLF.
    ///
    /// Serialization never fails and never lets a value break out of its field — whatever the
    /// value came from (incident titles, user names) it cannot inject another line or command:
    ///
    /// - In parameters and the source, CR and LF become a space (CRLF a single one) and NUL is
    ///   dropped, as in ``IRCText/sanitize(_:)`` but keeping other control codes (CTCP's `\u{1}`,
    ///   formatting), which are harmless on the wire.
    /// - The last parameter is sent after `:` when it is empty, contains a space or starts with
    ///   `:` (RFC 1459 §2.3.1 `<trailing>`); otherwise without, as ircdocs' join tests expect.
    /// - A parameter before the last can only be a `<middle>`. Rather than shift the meaning of the
    ///   following parameters, such a value is made safe in place: each space becomes U+00A0
    ///   NO-BREAK SPACE (looks the same to a reader), a leading `:` becomes U+FF1A FULLWIDTH COLON
    ///   and an empty value becomes `*` (the conventional placeholder, as in `USER bot 0 *`).
    /// - More than 15 parameters are joined with spaces into the 15th, which is what a server
    ///   would do with them anyway (RFC 2812 §2.3.1).
    /// - Tag values are escaped (message-tags §"Escaping values"); tag keys and the source lose
    ///   any space, `;`, `=` (keys only) and line-breaking bytes; the command keeps only ASCII
    ///   letters and digits.
    ///
    /// Length limits are not enforced here: splitting text to fit is the caller's job
    /// (``IRCLineSplitter``), because only the caller knows where a cut is acceptable.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + parameters.reduce(0) { $0 + $1.utf8.count })

        var wroteTag = false
        for tag in tags {
            let key = IRCTag.sanitizedKey(tag.key)
            guard !key.isEmpty else { continue }
            out.append(wroteTag ? WireText.semicolon : WireText.at)
            wroteTag = true
            out.append(contentsOf: key)
            if let value = tag.value, !value.isEmpty {
                out.append(WireText.equals)
                IRCTag.escape(value, into: &out)
            }
        }
        if wroteTag { out.append(WireText.space) }

        if let source {
            let raw = source.raw.utf8.filter { byte in
                byte != WireText.space && byte != WireText.nul && byte != WireText.cr && byte != WireText.lf
            }
            if !raw.isEmpty {
                out.append(WireText.colon)
                out.append(contentsOf: raw)
                out.append(WireText.space)
            }
        }

        out.append(contentsOf: command.utf8.filter { byte in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        })

        var params = parameters.map(Self.lineSafe)
        if params.count > Self.maxParameters {
            let rest = params[(Self.maxParameters - 1)...].joined(separator: " ")
            params = Array(params[..<(Self.maxParameters - 1)]) + [rest]
        }
        for (position, param) in params.enumerated() {
            out.append(WireText.space)
            if position == params.count - 1 {
                if param.isEmpty || param.utf8.contains(WireText.space) || param.utf8.first == WireText.colon {
                    out.append(WireText.colon)
                }
                out.append(contentsOf: param.utf8)
            } else {
                out.append(contentsOf: Self.middleSafe(param).utf8)
            }
        }
        return out
    }

    /// CR/LF → space (a CRLF pair → one space), NUL dropped; everything else kept.
    static func lineSafe(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == WireText.nul || $0 == WireText.cr || $0 == WireText.lf }) else {
            return value
        }
        var out = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\u{0}":
                break  // dropped; a CR before it still pairs with an LF after it
            case "\r":
                out.append(" ")
                previousWasCR = true
            case "\n":
                if !previousWasCR { out.append(" ") }
                previousWasCR = false
            default:
                out.append(scalar)
                previousWasCR = false
            }
        }
        return String(out)
    }

    /// Makes a value usable as `<middle>`: see ``serialized()`` for the substitutions.
    static func middleSafe(_ value: String) -> String {
        guard !value.isEmpty else { return "*" }
        guard value.utf8.first == WireText.colon || value.utf8.contains(WireText.space) else { return value }
        var out = String.UnicodeScalarView()
        for (offset, scalar) in value.unicodeScalars.enumerated() {
            if scalar == " " {
                out.append("\u{A0}")
            } else if offset == 0 && scalar == ":" {
                out.append("\u{FF1A}")
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
