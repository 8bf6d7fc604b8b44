import ChatConnection
import NIOCore
import TocsinCore

/// Forwards what the socket delivers to the connection's event loop task as ``ConnectionEvent``s.
///
/// It does no parsing: the XML parser and the session live in the connection's loop, which sees
/// the events of every connection in order and tags each with its generation so a late event from
/// an old socket cannot disturb the new one. Each read counts against the connection's
/// ``ChatConnection/InboundCredit``: while the loop is behind, NIO stops reading the socket.
final class XMPPChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let generation: Int
    private let sink: AsyncStream<ConnectionEvent>.Continuation
    private let credit: InboundCredit

    init(generation: Int, sink: AsyncStream<ConnectionEvent>.Continuation, credit: InboundCredit) {
        self.generation = generation
        self.sink = sink
        self.credit = credit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        credit.produced()
        if case .terminated = sink.yield(.received(generation: generation, unwrapInboundIn(data))) {
            credit.consumed()
        }
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
    /// The armed deadline (the session's next timer, or the next connection attempt) was reached.
    case deadline
    case connected(generation: Int, channel: any Channel)
    case connectFailed(generation: Int, any Error)
    case received(generation: Int, ByteBuffer)
    case channelError(generation: Int, any Error)
    case closed(generation: Int)
    case flushed(generation: Int, DeliveryToken, success: Bool)
    case deliver(DeliveryToken, OutboxItem)
    case cancelDelivery(DeliveryToken)
    /// `!leave`: leave this room and forget it.
    case leave(room: String, reason: String)
    /// A configuration reload added this room.
    case join(room: String, password: String?)
    case shutdown
}
