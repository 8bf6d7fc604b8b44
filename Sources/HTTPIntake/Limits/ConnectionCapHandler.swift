import Logging
import NIOCore

/// First handler of every accepted intake connection: counts it in with the ``ConnectionLimiter``
/// and closes it at once when its address, or the intake as a whole, already holds the maximum, so
/// stalled connections never pile up to the descriptor limit. Counts it out when it closes.
final class ConnectionCapHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let limiter: ConnectionLimiter
    private let logger: Logger
    private var address: String?
    private var refused = false

    init(limiter: ConnectionLimiter, logger: Logger) {
        self.limiter = limiter
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context)
        if !refused { context.fireChannelActive() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Bytes that arrived before the close took effect are not parsed.
        guard !refused else { return }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseIfAdmitted()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        releaseIfAdmitted()
    }

    private func admit(_ context: ChannelHandlerContext) {
        guard address == nil, !refused else { return }
        let remote = context.channel.remoteAddress?.ipAddress ?? "unknown"
        switch limiter.admit(remote) {
        case .admitted:
            address = remote
        case .tooManyFromAddress, .tooManyInTotal:
            refused = true
            context.close(promise: nil)
            if let count = limiter.refusalsToReport(every: .seconds(60)) {
                logger.warning("HTTP intake refused connections over its caps", metadata: [
                    "refused": "\(count)", "last_address": .string(remote),
                    "max_per_address": "\(limiter.maxPerAddress)", "max_connections": "\(limiter.maxTotal)",
                ])
            }
        }
    }

    private func releaseIfAdmitted() {
        guard let address else { return }
        self.address = nil
        limiter.release(address)
    }
}
