/// What the core needs from a chat front-end (one IRC or XMPP connection): deliver a message and
/// say when the server has it.
public protocol ChatTransport: Sendable {
    /// The configured network name this transport serves.
    var network: String { get }

    /// Sends one outbox item and returns once the transport has confirmation: XMPP stream-management
    /// ack, IRC echo-message, or a completed write on a live registered connection.
    /// Throws when the message could not be confirmed; the item stays in the outbox and is retried.
    func deliver(_ item: OutboxItem) async throws
}

/// Why a transport could not deliver right now.
public enum TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    case notConnected(network: String)
    case notInRoom(network: String, room: String)
    case timedOut(network: String)

    public var description: String {
        switch self {
        case .notConnected(let network): "\(network): not connected"
        case .notInRoom(let network, let room): "\(network): not in \(room)"
        case .timedOut(let network): "\(network): no confirmation from the server in time"
        }
    }
}
