// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Tocsin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tocsin", targets: ["Tocsin"]),
        .executable(name: "tocsin-bench", targets: ["TocsinBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // MARK: Pure codecs (no I/O)
        .target(name: "IRC"),
        .systemLibrary(
            name: "CExpat",
            pkgConfig: "expat",
            providers: [.apt(["libexpat1-dev"])]
        ),
        .target(name: "XMPP", dependencies: [
            "CExpat",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),

        // MARK: Shared service layer (no sockets)
        .target(name: "TocsinCore", dependencies: [
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        .target(name: "TocsinConfig", dependencies: [
            "TocsinCore",
            .product(name: "Yams", package: "Yams"),
        ]),

        // MARK: Storage (the one SQLite file)
        .target(name: "TocsinStorage", dependencies: [
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),

        // MARK: Incident backends
        .target(name: "EmbeddedIncidents", dependencies: [
            "TocsinCore", "TocsinStorage", "DurableOutbox",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "DurableOutbox", dependencies: [
            "TocsinCore", "TocsinStorage",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PagerDuty", dependencies: [
            "TocsinCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: Transports
        // The connection skeleton both chat clients share: reconnect/backoff, deadlines,
        // delivery waiting, health, TLS setup, read backpressure.
        .target(name: "ChatConnection", dependencies: [
            "TocsinCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .target(name: "IRCClient", dependencies: [
            "IRC", "TocsinCore", "ChatConnection",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOTLS", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "XMPPClient", dependencies: [
            "XMPP", "TocsinCore", "ChatConnection",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // MARK: HTTP intake
        .target(name: "HTTPIntake", dependencies: [
            "TocsinCore", "PagerDuty",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),

        // MARK: Incident pages (server-rendered HTML, chat sign-in, recorded chat, postmortems)
        .target(name: "IncidentPages", dependencies: [
            "TocsinCore", "TocsinStorage",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // MARK: The assembly (every target wired together; testable in-process)
        .target(name: "TocsinGateway", dependencies: [
            "TocsinCore", "TocsinConfig", "TocsinStorage", "EmbeddedIncidents", "DurableOutbox", "PagerDuty", "HTTPIntake",
            "IRCClient", "XMPPClient", "XMPP", "IncidentPages",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),

        // MARK: The executable (arguments, logging/metrics bootstrap, the service group)
        .executableTarget(name: "Tocsin", dependencies: [
            "TocsinGateway", "TocsinConfig", "IncidentPages", "TocsinStorage",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),

        // MARK: Benchmarks (release build: `swift run -c release tocsin-bench`)
        .executableTarget(name: "TocsinBench", dependencies: [
            "IRC", "XMPP", "TocsinCore", "IRCClient", "EmbeddedIncidents", "DurableOutbox", "TocsinStorage",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: Tests
        .testTarget(name: "IRCTests", dependencies: ["IRC"]),
        .testTarget(name: "XMPPTests", dependencies: ["XMPP"]),
        .testTarget(name: "TocsinCoreTests", dependencies: [
            "TocsinCore", .product(name: "Metrics", package: "swift-metrics"),
        ]),
        .testTarget(name: "TocsinConfigTests", dependencies: ["TocsinConfig", "TocsinCore"]),
        .testTarget(name: "EmbeddedIncidentsTests", dependencies: [
            "EmbeddedIncidents", "TocsinStorage", "TocsinCore", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "TocsinStorageTests", dependencies: [
            "TocsinStorage", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "DurableOutboxTests", dependencies: [
            "DurableOutbox", "EmbeddedIncidents", "TocsinStorage", "TocsinCore", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "HTTPIntakeTests", dependencies: [
            "HTTPIntake", "TocsinCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .testTarget(name: "PagerDutyTests", dependencies: [
            "PagerDuty", "TocsinCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "IRCClientTests", dependencies: [
            "IRCClient", "IRC", "TocsinCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOTLS", package: "swift-nio"),
        ]),
        .testTarget(name: "XMPPClientTests", dependencies: [
            "XMPPClient", "XMPP", "TocsinCore", "ChatConnection", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ChatConnectionTests", dependencies: [
            "ChatConnection", "TocsinCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .testTarget(name: "IncidentPagesTests", dependencies: [
            "IncidentPages", "TocsinCore", "TocsinStorage",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "TocsinGatewayTests", dependencies: [
            "TocsinGateway", "TocsinConfig", "TocsinCore", "HTTPIntake", "IRCClient", "XMPPClient",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
