import Synchronization

/// A setting a configuration reload (SIGHUP) replaces whole while the gateway runs, shared by every
/// part that reads it: the handler is a value copied into each transport's callback, so it holds
/// this reference and reads ``current`` at each use instead of a copy taken at start.
public final class Reloadable<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    public init(_ value: Value) {
        self.value = Mutex(value)
    }

    public var current: Value { value.withLock { $0 } }

    public func replace(_ newValue: Value) {
        value.withLock { $0 = newValue }
    }
}
