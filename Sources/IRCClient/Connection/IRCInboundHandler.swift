import IRC
import NIOCore
import NIOSSL
import NIOTLS

/// What the channel reports to a session's event loop.
enum IRCChannelEvent: Sendable {
    case message(IRCMessage)
    /// A line that is not a valid IRC message (logged and skipped).
    case unparsable(IRCParseError)
    /// The TLS handshake that followed STARTTLS completed; `discardedPlaintext` bytes that came
    /// after 670 were dropped unread.
    case tlsHandshakeCompleted(discardedPlaintext: Int)
    case error(any Error)
    case closed
}

/// Cuts received bytes into lines (``IRC/IRCLineFramer``), parses them and hands them on.
///
/// The protocol logic does not live here: it runs in ``IRCConnection``'s session task on an
/// ``IRCClientStateMachine``. This handler only translates bytes and channel events, and applies
/// the ``STARTTLSReadGate`` (no plaintext after 670 reaches the session).
final class IRCInboundHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var framer = IRCLineFramer()
    private var gate: STARTTLSReadGate
    private let sink: @Sendable (IRCChannelEvent) -> Void

    init(startTLS: Bool, sink: @escaping @Sendable (IRCChannelEvent) -> Void) {
        self.gate = STARTTLSReadGate(startTLS: startTLS)
        self.sink = sink
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if gate.dropsIncomingBytes {
            gate.discarded(buffer.readableBytes)
            return
        }
        framer.append(buffer.readableBytesView)
        while true {
            let message: IRCMessage?
            do {
                guard let line = try framer.nextLine() else { break }
                do {
                    // The framer already bounds the line; servers with a larger LINELEN are fine.
                    let parsed = try IRCMessage(parsing: line, limits: .unlimited)
                    sink(.message(parsed))
                    message = parsed
                } catch {
                    sink(.unparsable(error))
                    message = nil
                }
            } catch {
                sink(.unparsable(error))
                message = nil
            }
            if gate.handedOn(command: message?.command) {
                // 670: whatever followed it in this read is plaintext nobody may act on.
                gate.discarded(framer.bufferedByteCount)
                framer = IRCLineFramer()
                return
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls, gate.handshakeCompleted() {
            sink(.tlsHandshakeCompleted(discardedPlaintext: gate.discardedBytes))
        }
        context.fireUserInboundEventTriggered(event)
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
