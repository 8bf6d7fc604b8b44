import IRC
import NIOCore

/// What the channel reports to a session's event loop.
enum IRCChannelEvent: Sendable {
    case message(IRCMessage)
    /// A line that is not a valid IRC message (logged and skipped).
    case unparsable(IRCParseError)
    case error(any Error)
    case closed
}

/// Cuts received bytes into lines (``IRC/IRCLineFramer``), parses them and hands them on.
///
/// The protocol logic does not live here: it runs in ``IRCConnection``'s session task on an
/// ``IRCClientStateMachine``. This handler only translates bytes and channel events, so it has no
/// state worth testing beyond the framer it wraps.
final class IRCInboundHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var framer = IRCLineFramer()
    private let sink: @Sendable (IRCChannelEvent) -> Void

    init(sink: @escaping @Sendable (IRCChannelEvent) -> Void) {
        self.sink = sink
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        framer.append(buffer.readableBytesView)
        while true {
            do {
                guard let line = try framer.nextLine() else { break }
                do {
                    // The framer already bounds the line; servers with a larger LINELEN are fine.
                    sink(.message(try IRCMessage(parsing: line, limits: .unlimited)))
                } catch {
                    sink(.unparsable(error))
                }
            } catch {
                sink(.unparsable(error))
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        sink(.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        sink(.error(error))
        context.close(promise: nil)
    }
}
