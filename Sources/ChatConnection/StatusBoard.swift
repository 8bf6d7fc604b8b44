import Synchronization

/// Where a connection's loop publishes its state for health checks (`/readyz`), read at any time
/// from any task. One writer (the loop), many readers; a lock, never a suspension.
public final class StatusBoard<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    public init(_ initial: Value) {
        value = Mutex(initial)
    }

    /// The latest published value.
    public var current: Value { value.withLock { $0 } }

    public func publish(_ newValue: Value) {
        value.withLock { $0 = newValue }
    }

    public func update(_ change: (inout Value) -> Void) {
        value.withLock { change(&$0) }
    }
}
