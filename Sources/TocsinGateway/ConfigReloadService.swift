import ServiceLifecycle
import UnixSignals

/// Reloads the configuration on every SIGHUP (`systemctl reload tocsin`, `kill -HUP`) until the
/// gateway shuts down. One reload at a time: signals that arrive meanwhile are coalesced.
public struct ConfigReloadService: Service {
    public let reloader: GatewayReloader

    public init(reloader: GatewayReloader) {
        self.reloader = reloader
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            await reloader.reload()
        }
    }
}
