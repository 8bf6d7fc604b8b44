import NIOCore
import TocsinCore

/// Forwards what the socket delivers to the connection's event loop task as ``ConnectionEvent``s.
///
/// It does no parsing: the XML parser and the session live in the connection's loop, which sees
/// the events of every connection in order and tags each with its generation so a late event from
/// an old socket cannot disturb the new one.
final class XMPPChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let generation: Int
    private let sink: AsyncStream<ConnectionEvent>.Continuation

    init(generation: Int, sink: AsyncStream<ConnectionEvent>.Continuation) {
        self.generation = generation
        self.sink = sink
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        sink.yield(.received(generation: generation, unwrapInboundIn(data)))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        sink.yield(.channelError(generation: generation, error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        sink.yield(.closed(generation: generation))
        context.fireChannelInactive()
    }
}

/// Everything the connection's loop reacts to.
enum ConnectionEvent: Sendable {
    /// Once a second: timers.
    case tick
    case connected(generation: Int, channel: any Channel)
    case connectFailed(generation: Int, any Error)
    case received(generation: Int, ByteBuffer)
    case channelError(generation: Int, any Error)
    case closed(generation: Int)
    case flushed(generation: Int, DeliveryToken, success: Bool)
    case deliver(DeliveryToken, OutboxItem)
    case cancelDelivery(DeliveryToken)
    case shutdown
}
