import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 child channel with the intake's limits in front: ``ConnectionCapHandler``
/// first in every accepted connection's pipeline, ``RequestDeadlineHandler`` right after the HTTP
/// decoder (Hummingbird's `additionalChannelHandlers`).
struct LimitedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let limiter: ConnectionLimiter
    let logger: Logger

    init(responder: @escaping HTTPChannelHandler.Responder, limits: IntakeLimits, logger: Logger) {
        limiter = ConnectionLimiter(maxPerAddress: limits.maxConnectionsPerAddress, maxTotal: limits.maxConnections)
        self.logger = logger
        http1 = HTTP1Channel(responder: responder, configuration: HTTP1Channel.Configuration(
            additionalChannelHandlers: [
                RequestDeadlineHandler(headerTimeout: limits.headerTimeout, bodyTimeout: limits.bodyTimeout, logger: logger),
            ]
        ))
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(
                ConnectionCapHandler(limiter: limiter, logger: self.logger), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http1.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the intake's connection caps and read deadlines.
    static func limitedHTTP1(_ limits: IntakeLimits, logger: Logger) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            LimitedHTTP1Channel(responder: responder, limits: limits, logger: logger)
        }
    }
}
