import Synchronization

/// The authorization policy in force, shared by every copy of the ``CommandHandler`` (the gateway
/// is a value captured by each transport's callback) and replaced whole by a configuration
/// reload (SIGHUP), so new identities and room policies apply to the next command without a
/// restart or a dropped connection.
public final class PolicySource: Sendable {
    private let policy: Mutex<AuthorizationPolicy>

    public init(_ policy: AuthorizationPolicy) {
        self.policy = Mutex(policy)
    }

    public var current: AuthorizationPolicy { policy.withLock { $0 } }

    public func replace(_ newPolicy: AuthorizationPolicy) {
        policy.withLock { $0 = newPolicy }
    }
}
