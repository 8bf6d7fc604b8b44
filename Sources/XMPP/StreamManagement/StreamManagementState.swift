/// The counters and resend queue of XEP-0198 Stream Management, as a plain value.
///
/// Outbound: every stanza sent after `<enable/>` is queued with ``didSend(_:)`` until an
/// `<a h='…'/>` acknowledges it (``didReceiveAck(h:)``). Inbound: ``handled`` counts stanzas we
/// processed and is what we report in `<a/>`. Both counters are 32-bit and wrap to 0 after
/// 2³² − 1 (XEP-0198 §4), so differences are computed modulo 2³².
///
/// Only `message`, `presence` and `iq` count (XEP-0198 §4); nonzas such as `<r/>` do not.
public struct StreamManagementState: Hashable, Sendable {
    /// Sent stanzas not yet acknowledged, oldest first.
    public private(set) var unacknowledged: [XMLElement] = []
    /// How many inbound stanzas we handled (mod 2³²), reported in `<a h='…'/>`.
    public private(set) var handled: UInt32 = 0
    /// How many stanzas we sent (mod 2³²).
    public private(set) var sent: UInt32 = 0
    /// The last `h` the server acknowledged (mod 2³²).
    public private(set) var acknowledged: UInt32 = 0

    /// Starts counting from zero, as after `<enabled/>`.
    public init() {}

    /// Starts from known counters — for tests and for restoring after a resumption.
    public init(handled: UInt32, sent: UInt32, unacknowledged: [XMLElement]) {
        self.handled = handled
        self.sent = sent
        self.unacknowledged = unacknowledged
        acknowledged = sent &- UInt32(truncatingIfNeeded: unacknowledged.count)
    }

    /// Records an outbound element; only stanzas are counted and queued.
    public mutating func didSend(_ stanza: XMLElement) {
        guard Stanza.isStanza(stanza) else { return }
        sent &+= 1
        unacknowledged.append(stanza)
    }

    /// Applies `<a h='…'/>` (or the `h` of `<resumed/>`), returning the stanzas it newly
    /// acknowledges. A repeated `h` acknowledges nothing.
    ///
    /// - Throws: ``StreamManagementError/handledCountTooHigh(h:sent:)`` when `h` acknowledges
    ///   more than was sent; the state is left unchanged.
    public mutating func didReceiveAck(h: UInt32) throws(StreamManagementError) -> [XMLElement] {
        let newlyAcknowledged = Int(h &- acknowledged)
        guard newlyAcknowledged <= unacknowledged.count else {
            throw .handledCountTooHigh(h: h, sent: sent)
        }
        acknowledged = h
        let acked = Array(unacknowledged.prefix(newlyAcknowledged))
        unacknowledged.removeFirst(newlyAcknowledged)
        return acked
    }

    /// Records that an inbound stanza was fully handled; call it for each `message`, `presence`
    /// and `iq` (see ``Stanza/isStanza(_:)``), never for nonzas.
    public mutating func didHandleInboundStanza() {
        handled &+= 1
    }

    /// Applies `<resumed h='…'/>` and returns what must be sent again, in order. The stanzas stay
    /// queued (and counted) until acknowledged, so resend them *without* calling ``didSend(_:)``.
    public mutating func didResume(h: UInt32) throws(StreamManagementError) -> [XMLElement] {
        _ = try didReceiveAck(h: h)
        return unacknowledged
    }

    /// For a new session when resumption failed or was not offered (XEP-0198 §5: stanzas not
    /// acknowledged may be lost): returns the unacknowledged stanzas and resets every counter.
    /// Resend them after enabling again, each through ``didSend(_:)``.
    public mutating func startNewSession() -> [XMLElement] {
        let pending = unacknowledged
        self = StreamManagementState()
        return pending
    }

    /// The `<a h='…'/>` answering a server's `<r/>`.
    public var answer: XMLElement { StreamManagement.answer(h: handled) }
}
