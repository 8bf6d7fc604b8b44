import Foundation
import ServiceLifecycle
import Synchronization
import TocsinCore
import TocsinGateway

/// An in-memory chat connection: what the gateway delivers is recorded, what a test `say`s is fed to
/// the gateway exactly as a real connection's inbound path does. No socket, no server.
final class FakeChatConnection: ChatTransport, Service, HealthSource {
    let network: String
    let rooms: [String]
    private let hooks: GatewayTransportHooks
    private let state = Mutex<(delivered: [OutboxItem], waiters: [(@Sendable (OutboxItem) -> Bool, CheckedContinuation<OutboxItem, Never>)])>(([], []))

    init(network: String, rooms: [String], hooks: GatewayTransportHooks) {
        self.network = network
        self.rooms = rooms
        self.hooks = hooks
    }

    var delivered: [OutboxItem] { state.withLock { $0.delivered } }

    func deliver(_ item: OutboxItem) async throws {
        let resumed = state.withLock { state -> [CheckedContinuation<OutboxItem, Never>] in
            state.delivered.append(item)
            var ready: [CheckedContinuation<OutboxItem, Never>] = []
            state.waiters.removeAll { predicate, continuation in
                guard predicate(item) else { return false }
                ready.append(continuation)
                return true
            }
            return ready
        }
        for continuation in resumed { continuation.resume(returning: item) }
    }

    /// Waits (bounded by the caller's timeout) for the first delivered item matching `predicate`.
    func firstDelivery(where predicate: @escaping @Sendable (OutboxItem) -> Bool) async -> OutboxItem {
        await withCheckedContinuation { continuation in
            let found = state.withLock { state -> OutboxItem? in
                if let item = state.delivered.first(where: predicate) { return item }
                state.waiters.append((predicate, continuation))
                return nil
            }
            if let found { continuation.resume(returning: found) }
        }
    }

    /// A person says something, as the IRC/XMPP connection would report it.
    func say(_ message: InboundMessage) async {
        await hooks.onMessage(message)
    }

    func run() async throws {
        hooks.onReady(network)
        try? await gracefulShutdown()
    }

    func health() async -> [ComponentHealth] {
        [ComponentHealth(component: "fake:\(network)", status: .ok)]
    }
}

/// Every fake the factory made, by network, so a test can reach them after assembly.
final class FakeTransports: Sendable {
    private let made = Mutex<[String: FakeChatConnection]>([:])

    subscript(network: String) -> FakeChatConnection? { made.withLock { $0[network] } }

    var factory: GatewayTransportFactory {
        GatewayTransportFactory(
            irc: { configuration, hooks in
                let fake = FakeChatConnection(network: configuration.network, rooms: configuration.rooms.map(\.name), hooks: hooks)
                self.made.withLock { $0[configuration.network] = fake }
                return fake
            },
            xmpp: { configuration, hooks in
                let fake = FakeChatConnection(network: configuration.network, rooms: configuration.rooms.map(\.jid.description), hooks: hooks)
                self.made.withLock { $0[configuration.network] = fake }
                return fake
            })
    }
}
