import ServiceLifecycle
import TocsinCore

/// Runs the outbox dispatcher as a lifecycle service. On graceful shutdown it stops; undelivered
/// items stay in the durable outbox for the next start.
struct DispatcherService: Service {
    var dispatcher: OutboxDispatcher
    var transports: [any ChatTransport]

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await dispatcher.run(transports: transports)
        }
        // With no chat network configured (an intake-only gateway) there is nothing to deliver,
        // but returning early would end the whole service group: wait for shutdown instead.
        try? await gracefulShutdown()
    }
}
