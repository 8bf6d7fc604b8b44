import XMPP

/// Identifies one ``XMPPConnection/deliver(_:)`` call while it waits for confirmation.
typealias DeliveryToken = UInt64

/// XEP-0198 Stream Management as the connection needs it: the codec's ``StreamManagementState``
/// (counters and resend queue) plus, for each queued stanza, the `deliver` call waiting for it.
///
/// It is kept across reconnections so a stream can be resumed (XEP-0198 §5) and nothing the server
/// did not acknowledge is lost.
struct StreamManagementTracker: Sendable {
    /// One stanza the server has not acknowledged yet.
    struct Unacknowledged: Sendable, Equatable {
        var element: XMLElement
        var delivery: DeliveryToken?
    }

    /// Whether stanzas are being counted on the current (or suspended) stream.
    private(set) var isEnabled = false
    /// The id to resume with; `nil` when the server did not allow resumption.
    private(set) var resumptionID: String?
    private(set) var state = StreamManagementState()
    /// The delivery token of each element in `state.unacknowledged`, in the same order.
    private var deliveries: [DeliveryToken?] = []

    /// A resume is possible: enabled with an id.
    var canResume: Bool { isEnabled && resumptionID != nil }

    /// Stanzas received from the server on this stream (what `<a h/>` reports).
    var inboundHandled: UInt32 { state.handled }

    /// How many sent stanzas wait for an acknowledgement.
    var unacknowledgedCount: Int { deliveries.count }

    var unacknowledged: [Unacknowledged] {
        zip(state.unacknowledged, deliveries).map { Unacknowledged(element: $0, delivery: $1) }
    }

    /// `<enabled/>` arrived: start counting on a fresh stream.
    mutating func enabled(resumptionID: String?) {
        isEnabled = true
        self.resumptionID = resumptionID
        state = StreamManagementState()
        deliveries = []
    }

    /// A stanza from the server was received.
    mutating func stanzaReceived() {
        guard isEnabled else { return }
        state.didHandleInboundStanza()
    }

    /// A stanza was written; it waits for an acknowledgement.
    mutating func stanzaSent(_ element: XMLElement, delivery: DeliveryToken?) {
        guard isEnabled, Stanza.isStanza(element) else { return }
        state.didSend(element)
        deliveries.append(delivery)
    }

    /// `<a h='…'/>`: drops what the server has; returns the deliveries now confirmed.
    mutating func acknowledge(_ handled: UInt32) throws(StreamManagementError) -> [DeliveryToken] {
        guard isEnabled else { return [] }
        let acknowledged = try state.didReceiveAck(h: handled)
        let confirmed = deliveries.prefix(acknowledged.count).compactMap { $0 }
        deliveries.removeFirst(acknowledged.count)
        return confirmed
    }

    /// `<resumed h='…'/>`: the stream continues. Returns the deliveries `h` confirms and the
    /// stanzas to write again, in order (XEP-0198 §5). They stay queued and counted, so they are
    /// written without another ``stanzaSent(_:delivery:)``.
    mutating func resumed(handled: UInt32) throws(StreamManagementError) -> (confirmed: [DeliveryToken], resend: [Unacknowledged]) {
        let confirmed = try acknowledge(handled)
        return (confirmed, unacknowledged)
    }

    /// The server ended the session (stream error, closed stream): it cannot be resumed, but the
    /// unacknowledged stanzas are kept for the next session.
    mutating func forgetResumption() {
        resumptionID = nil
    }

    /// The previous stream is gone for good (`<failed/>`, a stream error, no resumption offered).
    /// Returns the deliveries the failure's `h` confirms and the stanzas never acknowledged, and
    /// stops counting until the next ``enabled(resumptionID:)``.
    mutating func abandon(handled: UInt32? = nil) -> (confirmed: [DeliveryToken], unacknowledged: [Unacknowledged]) {
        var confirmed: [DeliveryToken] = []
        if let handled, isEnabled, let acknowledged = try? acknowledge(handled) { confirmed = acknowledged }
        let leftovers = unacknowledged
        _ = state.startNewSession()
        self = StreamManagementTracker()
        return (confirmed, leftovers)
    }
}
