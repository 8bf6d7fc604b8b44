/// A XEP-0198 counting violation by the server.
public enum StreamManagementError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The server acknowledged more stanzas than we sent (XEP-0198 §5): its counter and ours
    /// disagree, so nothing in the queue can be trusted. Close the stream with
    /// ``StreamManagement/handledCountTooHighError(h:sendCount:)`` and start a fresh session.
    case handledCountTooHigh(h: UInt32, sent: UInt32)

    public var description: String {
        switch self {
        case .handledCountTooHigh(let h, let sent):
            "the server acknowledged \(h) stanzas but only \(sent) were sent (XEP-0198 handled-count-too-high); the session must be restarted"
        }
    }
}
