import IRCClient
import Logging
import ServiceLifecycle
import TocsinCore
import XMPPClient

/// What the assembly hands each chat connection it has a factory make: where inbound messages go,
/// whom to tell when a room is joined (the dispatcher then delivers that network's backlog), and the
/// durable IRCv3 STS policy store (irc.md, "STS": a policy must survive restarts).
public struct GatewayTransportHooks: Sendable {
    public var onMessage: @Sendable (InboundMessage) async -> Void
    public var onReady: @Sendable (String) -> Void
    public var stsPolicies: any STSPolicyStore
    /// Invitations, joins and kicks go to the core's room registry (which also stores them).
    public var rooms: (any RoomLifecycle)?

    public init(
        onMessage: @escaping @Sendable (InboundMessage) async -> Void,
        onReady: @escaping @Sendable (String) -> Void,
        stsPolicies: any STSPolicyStore,
        rooms: (any RoomLifecycle)? = nil
    ) {
        self.onMessage = onMessage
        self.onReady = onReady
        self.stsPolicies = stsPolicies
        self.rooms = rooms
    }
}

/// Makes the chat connections from their resolved configuration. The live factory opens sockets;
/// a test passes closures that return in-memory transports, so the whole gateway runs without any.
public struct GatewayTransportFactory: Sendable {
    /// A chat connection is a transport for the outbox, a lifecycle service and a health source.
    public typealias Connection = any ChatTransport & Service & HealthSource

    public var irc: @Sendable (IRCClientConfiguration, GatewayTransportHooks) throws -> Connection
    public var xmpp: @Sendable (XMPPClientConfiguration, GatewayTransportHooks) throws -> Connection

    public init(
        irc: @escaping @Sendable (IRCClientConfiguration, GatewayTransportHooks) throws -> Connection,
        xmpp: @escaping @Sendable (XMPPClientConfiguration, GatewayTransportHooks) throws -> Connection
    ) {
        self.irc = irc
        self.xmpp = xmpp
    }

    /// Real IRC and XMPP connections over SwiftNIO.
    public static func live(logger: Logger) -> GatewayTransportFactory {
        GatewayTransportFactory(
            irc: { configuration, hooks in
                IRCConnection(
                    configuration: configuration, onMessage: hooks.onMessage, onReady: hooks.onReady,
                    stsPolicies: hooks.stsPolicies, rooms: hooks.rooms, logger: logger)
            },
            xmpp: { configuration, hooks in
                XMPPConnection(
                    configuration: configuration, onMessage: hooks.onMessage, onReady: hooks.onReady, rooms: hooks.rooms,
                    logger: logger)
            })
    }
}
