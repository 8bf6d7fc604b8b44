/// The `type` attribute of a stanza `<error>`: what the sender should do next (RFC 6120 §8.3.2).
public enum StanzaErrorType: String, CaseIterable, Hashable, Sendable {
    /// Retry after providing credentials.
    case auth
    /// Do not retry: the error cannot be remedied.
    case cancel
    /// Proceed: the condition was only a warning.
    case `continue`
    /// Retry after changing the data sent.
    case modify
    /// Retry after waiting: the error is temporary.
    case wait
}
