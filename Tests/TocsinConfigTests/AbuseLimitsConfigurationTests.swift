import Testing
import TocsinConfig

/// The limits that keep one client or one person from starving everyone else (issue 10):
/// `http` connection caps and read deadlines, `gateway.rate_limits`, the per-room outbox bound.
@Suite struct AbuseLimitsConfigurationTests {
    typealias M = MinimalConfiguration

    /// The minimal configuration with `lines` added to its `gateway:` section.
    static func gateway(_ lines: String) -> String {
        M.yaml().replacingOccurrences(
            of: "  database: /var/lib/tocsin/tocsin.sqlite",
            with: "  database: /var/lib/tocsin/tocsin.sqlite\n" + lines)
    }

    @Test func limitsLoad() throws {
        let yaml = Self.gateway("""
              outbox_max_pending_per_room: 500
              rate_limits: {per_user: {burst: 3, per_minute: 6}, per_room: {burst: 8, per_minute: 20}}
            """).replacingOccurrences(of: "routes:", with: """
            http: {header_timeout_seconds: 5, body_timeout_seconds: 20, max_connections_per_address: 16, max_connections: 256}
            routes:
            """)
        let configuration = try ConfigurationLoader.load(yaml: yaml, environment: M.environment)
        #expect(configuration.gateway.outboxMaxPendingPerRoom == 500)
        #expect(configuration.gateway.rateLimits?.perUser?.burst == 3)
        #expect(configuration.gateway.rateLimits?.perRoom?.perMinute == 20)
        #expect(configuration.http?.headerTimeoutSeconds == 5)
        #expect(configuration.http?.bodyTimeoutSeconds == 20)
        #expect(configuration.http?.maxConnectionsPerAddress == 16)
        #expect(configuration.http?.maxConnections == 256)
    }

    @Test(arguments: [
        ("rate_limits: {per_user: {burst: 0}}", "gateway.rate_limits.per_user.burst"),
        ("rate_limits: {per_room: {per_minute: 0}}", "gateway.rate_limits.per_room.per_minute"),
        ("outbox_max_pending_per_room: 5", "gateway.outbox_max_pending_per_room"),
    ])
    func gatewayLimitOutOfRangeNamesItsKey(_ line: String, _ path: String) {
        #expect(problems(in: Self.gateway("  " + line), environment: M.environment).contains { $0.path == path })
    }

    @Test(arguments: [
        ("{header_timeout_seconds: 0}", "http.header_timeout_seconds"),
        ("{body_timeout_seconds: 7200}", "http.body_timeout_seconds"),
        ("{max_connections: 0}", "http.max_connections"),
        ("{max_connections_per_address: 100, max_connections: 50}", "http.max_connections_per_address"),
    ])
    func intakeLimitOutOfRangeNamesItsKey(_ settings: String, _ path: String) {
        let yaml = M.yaml().replacingOccurrences(of: "routes:", with: "http: \(settings)\nroutes:")
        #expect(problems(in: yaml, environment: M.environment).contains { $0.path == path })
    }
}
