import IRC

/// What the connection's reader does with plaintext around STARTTLS (IRCv3 `tls` extension).
///
/// Someone on the path can append bytes to the server's `670` in the same TCP segment, or keep
/// sending plaintext while the TLS handshake runs: the reader would frame them as server lines
/// and the client would act on them as if they came over TLS. So once `670` is framed the rest of
/// that read and every plaintext byte until the handshake completes are dropped — the same rule
/// the XMPP client applies after `<proceed/>` (RFC 6120 §5.4.3.3). Lines before `670` are handed
/// on, and the registration machine aborts on anything that is not 670/691.
///
/// A plain value so that the rule is tested without sockets; ``IRCInboundHandler`` applies it.
struct STARTTLSReadGate: Sendable, Hashable {
    enum Phase: Sendable, Hashable {
        /// `STARTTLS` sent: lines are handed on until 670.
        case awaitingReply
        /// 670 seen: plaintext is dropped until the TLS handshake completes.
        case handshaking
        /// Not negotiating (implicit TLS, plaintext, or after the handshake).
        case open
    }

    private(set) var phase: Phase
    /// Plaintext bytes dropped since 670, for the log.
    private(set) var discardedBytes = 0

    init(startTLS: Bool) {
        phase = startTLS ? .awaitingReply : .open
    }

    /// True while incoming bytes must be dropped unread.
    var dropsIncomingBytes: Bool { phase == .handshaking }

    /// A line was framed and handed on. Returns true when everything after it must be dropped
    /// (it was 670): the caller throws away the rest of the read and what the framer holds,
    /// and reports those bytes with ``discarded(_:)``.
    mutating func handedOn(command: String?) -> Bool {
        guard phase == .awaitingReply, command == "670" else { return false }
        phase = .handshaking
        return true
    }

    /// Bytes dropped while handshaking.
    mutating func discarded(_ count: Int) {
        discardedBytes += count
    }

    /// The TLS handshake completed. Returns true when it ended a STARTTLS upgrade (as opposed to
    /// implicit TLS, whose handshake the session does not wait for).
    mutating func handshakeCompleted() -> Bool {
        guard phase == .handshaking else { return false }
        phase = .open
        return true
    }
}
