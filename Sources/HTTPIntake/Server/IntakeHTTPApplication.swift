import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// The intake's Hummingbird application: Hummingbird's `Application`, run without its date cache.
///
/// `ApplicationProtocol.run()` (Hummingbird 2.28) always adds a `DateCache` service that
/// re-formats the `Date` header from a one-second `AsyncTimerSequence`; in an idle gateway that
/// timer was ~6 of its ~7 thread wake-ups a second (`integration-tests/idle-cpu.sh`, perf
/// attribution in `docs/benchmarks.md`; issue 11, item 4: timers only for real deadlines). This
/// `run()` serves the same responder through the same server builder as Hummingbird's — same
/// request logger, same 500 for an unrecognised error, same handling of parser errors, same
/// `Server` header — and takes the `Date` header from ``HTTPDateHeader``, formatted on demand.
///
/// HummingbirdTesting's `.router` and `.live` frameworks wrap the application in their own and so
/// run Hummingbird's `run()`; the executable runs this one.
public struct IntakeHTTPApplication<Responder: HTTPResponder>: ApplicationProtocol
where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    public let responder: Responder
    public let server: HTTPServerBuilder
    public let configuration: ApplicationConfiguration
    public let logger: Logger
    private let serverRunning: @Sendable (any Channel) async -> Void

    public init<Builder: HTTPResponderBuilder>(
        router: Builder, server: HTTPServerBuilder, configuration: ApplicationConfiguration, logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) where Builder.Responder == Responder {
        self.responder = router.buildResponder()
        self.server = server
        self.configuration = configuration
        self.logger = logger
        self.serverRunning = onServerRunning
    }

    public func onServerRunning(_ channel: any Channel) async {
        await serverRunning(channel)
    }

    /// Thrown instead of a parser error met while the response was being written: the channel
    /// handler answers a parser error with a 400, which must not follow a response already begun
    /// (Hummingbird throws its package-internal `parseErrorWhileWritingResponse` for the same reason).
    struct ParseErrorWhileWritingResponse: Error {}

    public func run() async throws {
        let responder = self.responder
        let logger = self.logger
        let serverName = configuration.serverName
        let dates = HTTPDateHeader()
        // ApplicationConfiguration.httpServer is internal to Hummingbird; the same fields, by hand.
        let serverConfiguration = ServerConfiguration(
            address: configuration.address, serverName: configuration.serverName, backlog: configuration.backlog,
            reuseAddress: configuration.reuseAddress,
            availableConnectionsDelegate: configuration.availableConnectionsDelegate)
        let service = try server.buildServer(
            configuration: serverConfiguration, eventLoopGroup: eventLoopGroup, logger: logger
        ) { (request, responseWriter: consuming ResponseWriter, channel) in
            var requestLogger = logger
            requestLogger[metadataKey: "hb.request.id"] = .stringConvertible(RequestID())
            let response = try await withLogger(requestLogger) { logger in
                let context = Responder.Context(source: .init(channel: channel, logger: logger))
                var response: Response
                do {
                    response = try await responder.respond(to: request, context: context)
                } catch let error as HTTPParserError {
                    throw error
                } catch {
                    logger.debug("Unrecognised Error", metadata: ["error.type": "\(error)"])
                    response = Response(status: .internalServerError, body: .init())
                }
                response.headers[.date] = dates.current()
                if let serverName { response.headers[.server] = serverName }
                return response
            }
            do {
                try await responseWriter.write(response: response.head, body: response.body)
            } catch is HTTPParserError {
                throw ParseErrorWhileWritingResponse()
            }
        } onServerRunning: {
            await self.onServerRunning($0)
        }
        try await service.run()
    }
}
