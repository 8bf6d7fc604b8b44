/// How long a client may take to send a request, and how many connections it may hold: the
/// defences against slow-loris clients, which hold connections open with unfinished requests until
/// the process runs out of file descriptors and nobody else is served.
///
/// Counting connections per client address means one address holding many stalled connections
/// cannot keep another address out; the total cap stays below the process's descriptor limit
/// (`RLIMIT_NOFILE`, `LimitNOFILE=` in the systemd unit) so `accept` never fails with `EMFILE`.
public struct IntakeLimits: Sendable, Hashable {
    /// From a connection's start (or the end of the previous response) until the request head is
    /// complete. Slow-loris clients trickle the head one byte at a time.
    public var headerTimeout: Duration
    /// From a complete request head until the body's last byte.
    public var bodyTimeout: Duration
    /// Connections one client address may hold at once; more are closed as soon as they are accepted.
    public var maxConnectionsPerAddress: Int
    /// Connections held at once in all; more are closed as soon as they are accepted.
    public var maxConnections: Int

    public static let defaultHeaderTimeout = Duration.seconds(10)
    public static let defaultBodyTimeout = Duration.seconds(30)
    public static let defaultMaxConnectionsPerAddress = 64
    public static let defaultMaxConnections = 512
    /// Descriptors left for everything but the intake (the database, chat connections, outgoing
    /// HTTP) when the total cap is fitted under the process's descriptor limit.
    public static let descriptorsKeptForTheRest = 128

    public init(
        headerTimeout: Duration = IntakeLimits.defaultHeaderTimeout,
        bodyTimeout: Duration = IntakeLimits.defaultBodyTimeout,
        maxConnectionsPerAddress: Int = IntakeLimits.defaultMaxConnectionsPerAddress,
        maxConnections: Int = IntakeLimits.defaultMaxConnections
    ) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.maxConnections = maxConnections
    }

    /// These limits with the total cap lowered, when needed, to leave
    /// ``descriptorsKeptForTheRest`` of `descriptorLimit` free (at least 16 connections remain).
    public func fitted(toDescriptorLimit descriptorLimit: Int?) -> IntakeLimits {
        guard let descriptorLimit else { return self }
        var fitted = self
        fitted.maxConnections = min(maxConnections, max(16, descriptorLimit - Self.descriptorsKeptForTheRest))
        fitted.maxConnectionsPerAddress = min(maxConnectionsPerAddress, fitted.maxConnections)
        return fitted
    }
}
