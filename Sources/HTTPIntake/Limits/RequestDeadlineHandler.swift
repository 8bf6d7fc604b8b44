import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request head is not complete within the header timeout (counted from
/// the connection's start or the end of the previous response, so an idle keep-alive connection is
/// closed too), or whose body is not complete within the body timeout after the head.
///
/// Sits after the HTTP/1.1 decoder: it sees a head only once all of it arrived, so a head trickled a
/// byte at a time (slow loris) or a body that never ends runs into the deadline. No deadline runs
/// while a response is being produced. RFC 9112 §9.5 lets a server close an idle connection at any
/// time; clients retry requests on a new one.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase {
        case awaitingHead
        case readingBody
        case responding
    }

    private let headerTimeout: Duration
    private let bodyTimeout: Duration
    private let logger: Logger
    private var phase = Phase.awaitingHead
    /// Requests read in full and not yet answered.
    private var unanswered = 0
    private var deadline: Scheduled<Void>?

    init(headerTimeout: Duration, bodyTimeout: Duration, logger: Logger) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive, deadline == nil { arm(headerTimeout, "header", context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if deadline == nil, phase == .awaitingHead { arm(headerTimeout, "header", context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            phase = .readingBody
            arm(bodyTimeout, "body", context)
        case .body:
            break
        case .end:
            phase = .responding
            unanswered += 1
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            unanswered = max(0, unanswered - 1)
            if unanswered == 0, phase == .responding {
                phase = .awaitingHead
                arm(headerTimeout, "header", context)
            }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ timeout: Duration, _ what: String, _ context: ChannelHandlerContext) {
        disarm()
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanoseconds)) {
            self.deadline = nil
            self.logger.debug("HTTP intake closed a connection that missed the \(what) timeout", metadata: [
                "remote": .string(context.channel.remoteAddress?.ipAddress ?? "unknown"),
            ])
            context.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}
