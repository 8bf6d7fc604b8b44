import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import TocsinConfig
import TocsinGateway

/// Runs the gateway until SIGTERM or SIGINT, then shuts down gracefully (QUIT on IRC, closed
/// streams on XMPP, undelivered messages kept in the outbox for the next start). SIGHUP re-reads
/// the configuration file and applies what it can without dropping a connection.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the gateway.")

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    func run() async throws {
        let configuration: TocsinConfiguration
        do {
            configuration = try ConfigurationLoader.load(path: config)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let level = configuration.logging?.level.flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "tocsin")

        let assembly = try await GatewayAssembly(configuration: configuration, metrics: registry, logger: logger)
        logger.info("starting", metadata: [
            "version": "\(TocsinVersion.current)", "backend": "\(configuration.backend.kind.rawValue)",
            "networks": "\(assembly.transports.map(\.network).joined(separator: ","))",
        ])
        let group = ServiceGroup(
            configuration: .init(
                services: (assembly.services + [ConfigReloadService(reloader: GatewayReloader(
                    path: config, running: configuration, targets: assembly.reloadTargets, logger: logger))])
                    .map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}
