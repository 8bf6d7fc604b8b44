/// An incremental (push) parser for an inbound XMPP stream, built on libexpat.
///
/// An XMPP connection carries one XML document that never ends while connected (RFC 6120 §4.1),
/// so the parser must accept bytes as they arrive and report each top-level element as soon as
/// its end tag is in: feed whatever the socket delivered, in any split, and handle the returned
/// ``XMPPStreamEvent``s. Feeding the same bytes one at a time or all at once yields the same
/// events.
///
/// Security posture, following RFC 6120 §11.1 and §13.12:
/// - DTDs, comments, processing instructions, entity declarations and non-predefined entity
///   references are rejected as ``XMPPStreamError/restrictedXML(_:)`` (which also rules out
///   entity-expansion attacks).
/// - A top-level element may not exceed ``Limits/maxStanzaBytes`` nor nest deeper than
///   ``Limits/maxDepth``; the check runs while bytes arrive, so an endless tag cannot exhaust memory.
/// - The encoding is fixed to UTF-8 (RFC 6120 §11.6) regardless of any declaration.
///
/// After STARTTLS and after SASL success the stream restarts with a new header (RFC 6120
/// §5.4.3.3, §6.4.6): call ``reset()`` once the `<proceed/>` or `<success/>` element has been
/// handled — servers send nothing more until the client opens the new stream.
///
/// The type is non-copyable because it owns a C parser whose state cannot be duplicated; it is
/// `Sendable` because that unique ownership means the state is only ever reached through an
/// exclusive (`mutating`) access. Callbacks find their state through expat's user-data pointer,
/// never through globals.
public struct XMPPStreamParser: ~Copyable, @unchecked Sendable {
    /// Resource limits applied to every top-level element.
    public struct Limits: Sendable, Equatable {
        /// Maximum bytes of one top-level element, counted from the end of the previous one
        /// (so leading whitespace counts too). Default 256 KiB: RFC 6120 §13.12 requires a
        /// limit of at least 10 000 bytes; real stanzas with vCards or avatars stay well below.
        public var maxStanzaBytes: Int
        /// Maximum element nesting within a top-level element (the stanza itself is depth 1).
        public var maxDepth: Int

        public init(maxStanzaBytes: Int = 256 * 1024, maxDepth: Int = 32) {
            self.maxStanzaBytes = max(1, maxStanzaBytes)
            self.maxDepth = max(1, maxDepth)
        }
    }

    private let state: XMPPStreamParserState

    /// The limits this parser enforces.
    public var limits: Limits { state.limits }

    /// Creates a parser waiting for a stream header.
    public init(limits: Limits = Limits()) {
        state = XMPPStreamParserState(limits: limits)
    }

    /// Parses the next bytes of the stream.
    ///
    /// - Returns: the events completed by these bytes, in order (often none, when a stanza is
    ///   still incomplete).
    /// - Throws: ``XMPPStreamError`` when the stream is unusable; events completed earlier in the
    ///   same call are discarded because the stream must be closed anyway. Every later call
    ///   throws the same error until ``reset()``.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(XMPPStreamError) -> [XMPPStreamEvent] {
        try state.feed(bytes)
    }

    /// Starts over with a fresh document, as required after STARTTLS and SASL success.
    public mutating func reset() {
        state.reset()
    }
}
