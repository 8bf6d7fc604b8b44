import IRC
import TocsinCore

/// Which outbox deliveries are in flight on a registered connection and how each one ends.
///
/// A delivery is confirmed when its last line is written, or, with IRCv3 `echo-message`, when
/// the server echoes that line back (matched by `labeled-response` label when there is one,
/// otherwise by target and text in order). It fails when the write fails, the echo does not come
/// within the confirmation timeout, we are kicked from the room, or the server refuses it
/// (404 ERR_CANNOTSENDTOCHAN, after which the target is held back for a while).
///
/// Targets are folded by the caller under the server's CASEMAPPING. The tracker only decides;
/// removing queued lines and reporting to the outbox is the caller's job.
struct IRCDeliveryTracker: Sendable {
    struct Pending: Sendable, Hashable {
        /// Folded target.
        var target: String
        var awaitsEcho: Bool
    }

    /// A PRIVMSG/NOTICE written while echo-message is on, waiting for its echo.
    struct EchoExpectation: Sendable, Hashable {
        var command: String
        var foldedTarget: String
        var text: String
        var label: String?
        /// Set on the last line of a delivery only.
        var delivery: DeliveryID?
        var deadline: ContinuousClock.Instant
    }

    /// How a write ended for the delivery.
    enum WriteOutcome: Sendable, Hashable {
        /// Not a delivery we track (already settled).
        case unknown
        case confirmed
        case failed
        /// Written; the echo will settle it.
        case awaitingEcho
    }

    private(set) var pending: [DeliveryID: Pending] = [:]
    private(set) var echoes: [EchoExpectation] = []
    /// Folded targets that refused a message, held back until then.
    private(set) var holds: [String: ContinuousClock.Instant] = [:]

    var isEmpty: Bool { pending.isEmpty && echoes.isEmpty }

    // MARK: Holds after a refusal

    /// True when `target` takes messages at `now`; an expired hold is dropped.
    mutating func admits(_ target: String, now: ContinuousClock.Instant) -> Bool {
        guard let until = holds[target] else { return true }
        guard now >= until else { return false }
        holds[target] = nil
        return true
    }

    /// We (re)joined `target`: whatever refused us before no longer applies.
    mutating func release(_ target: String) {
        holds[target] = nil
    }

    // MARK: Lifecycle of one delivery

    mutating func started(_ id: DeliveryID, target: String, awaitsEcho: Bool) {
        pending[id] = Pending(target: target, awaitsEcho: awaitsEcho)
    }

    /// A PRIVMSG/NOTICE went out with echo-message on: expect it back by `deadline`.
    mutating func expectEcho(_ expectation: EchoExpectation) {
        echoes.append(expectation)
    }

    /// The outcome of writing the last line of delivery `id`.
    mutating func writeCompleted(_ id: DeliveryID, success: Bool) -> WriteOutcome {
        guard let entry = pending[id] else { return .unknown }
        guard success else {
            pending[id] = nil
            echoes.removeAll { $0.delivery == id }
            return .failed
        }
        if entry.awaitsEcho { return .awaitingEcho }
        pending[id] = nil
        return .confirmed
    }

    /// Our own PRIVMSG/NOTICE came back. Returns the delivery it confirms, if any.
    mutating func echoReceived(command: String, target: String, text: String, label: String?) -> DeliveryID? {
        let index: Int?
        if let label, !label.isEmpty {
            index = echoes.firstIndex { $0.label == label }
        } else {
            // Labelled lines come back with their label; the others are matched in order.
            index = echoes.firstIndex { $0.label == nil && $0.command == command && $0.foldedTarget == target && $0.text == text }
                // The server may alter text (colour stripping): the oldest line to that target is it.
                ?? echoes.firstIndex { $0.command == command && $0.foldedTarget == target && $0.label == nil }
        }
        guard let index else { return nil }
        let expectation = echoes.remove(at: index)
        guard let id = expectation.delivery, pending.removeValue(forKey: id) != nil else { return nil }
        return id
    }

    /// Deliveries whose echo did not come by `now`.
    mutating func expire(now: ContinuousClock.Instant) -> [DeliveryID] {
        guard echoes.contains(where: { $0.deadline <= now }) else { return [] }
        let expired = echoes.filter { $0.deadline <= now }
        echoes.removeAll { $0.deadline <= now }
        return expired.compactMap { expectation in
            guard let id = expectation.delivery, pending.removeValue(forKey: id) != nil else { return nil }
            return id
        }
    }

    /// Every delivery to `target` still queued or waiting for its echo, now dropped (we were
    /// kicked, so the server will not take them). Sorted.
    mutating func dropAll(to target: String) -> [DeliveryID] {
        let ids = pending.filter { $0.value.target == target }.map(\.key).sorted()
        for id in ids { pending[id] = nil }
        echoes.removeAll { $0.foldedTarget == target }
        return ids
    }

    /// The server refused a message to `target` (404/401): the labelled delivery, or every one
    /// to that target. When `holdUntil` is set, the target is held back until then.
    mutating func refused(target: String, label: String?, holdUntil: ContinuousClock.Instant?) -> [DeliveryID] {
        var ids: [DeliveryID] = []
        if let label, let index = echoes.firstIndex(where: { $0.label == label }) {
            if let id = echoes.remove(at: index).delivery, pending[id] != nil { ids = [id] }
        } else {
            ids = pending.filter { $0.value.target == target }.map(\.key).sorted()
            echoes.removeAll { $0.foldedTarget == target }
        }
        for id in ids { pending[id] = nil }
        if let holdUntil { holds[target] = holdUntil }
        return ids
    }

    /// The connection is gone: every delivery still open, sorted.
    mutating func failAll() -> [DeliveryID] {
        let ids = pending.keys.sorted()
        pending = [:]
        echoes = []
        return ids
    }

    /// The earliest echo deadline.
    var nextDeadline: ContinuousClock.Instant? {
        echoes.lazy.map(\.deadline).min()
    }
}
