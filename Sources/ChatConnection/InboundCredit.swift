import NIOCore
import Synchronization

/// Backpressure from a connection's consumer to its socket: the channel counts what it hands
/// on, the consumer counts what it has finished, and while more than ``highWater`` items are
/// outstanding NIO stops reading the socket (``ReadPausingHandler`` holds `read()`), so the
/// server's TCP window fills instead of our memory. Reading resumes once the consumer is back
/// down to ``lowWater``.
///
/// Cap and overflow policy: nothing is dropped. At most `highWater` items plus what one socket
/// read produces (one read is at most NIO's receive buffer, 64 KiB by default) wait for the
/// consumer; beyond that the server waits. A server that keeps writing to a stalled gateway sees
/// its send buffer fill and, eventually, its own ping timeout — the connection is then
/// re-established with backoff, as for any dead link.
public final class InboundCredit: Sendable {
    public let highWater: Int
    public let lowWater: Int

    private struct State {
        var outstanding = 0
        /// Set while a `read()` is held; called (once) when the consumer catches up.
        var resume: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    public init(highWater: Int = 512, lowWater: Int? = nil) {
        self.highWater = max(1, highWater)
        self.lowWater = min(max(0, lowWater ?? highWater / 4), self.highWater - 1)
    }

    /// Items handed on and not yet finished.
    public var outstanding: Int { state.withLock { $0.outstanding } }

    /// The channel handed `count` more items to the consumer.
    public func produced(_ count: Int = 1) {
        state.withLock { $0.outstanding += count }
    }

    /// The consumer finished `count` items.
    public func consumed(_ count: Int = 1) {
        let resume = state.withLock { state -> (@Sendable () -> Void)? in
            state.outstanding = max(0, state.outstanding - count)
            guard state.outstanding <= lowWater, let resume = state.resume else { return nil }
            state.resume = nil
            return resume
        }
        resume?()
    }

    /// Whether a read may go ahead now; if not, `resume` is kept and called when it may.
    func mayRead(orElse resume: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { state in
            guard state.outstanding >= highWater else { return true }
            state.resume = resume
            return false
        }
    }
}

/// Holds the channel's `read()` while its ``InboundCredit`` is exhausted, and lets it through
/// when the consumer catches up (the mechanism `NIOAsyncChannel` uses, for a hand-written loop).
/// Place it after any TLS handler (closer to the tail), so TLS still reads during its handshake.
public final class ReadPausingHandler: ChannelDuplexHandler {
    public typealias InboundIn = NIOAny
    public typealias OutboundIn = NIOAny

    private let credit: InboundCredit
    private var readHeld = false

    public init(credit: InboundCredit) {
        self.credit = credit
    }

    public func read(context: ChannelHandlerContext) {
        if readHeld { return }
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        let allowed = credit.mayRead {
            loop.execute {
                let (handler, context) = bound.value
                guard handler.readHeld else { return }
                handler.readHeld = false
                context.read()
            }
        }
        if allowed {
            context.read()
        } else {
            readHeld = true
        }
    }
}
