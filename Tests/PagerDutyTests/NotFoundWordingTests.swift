import Foundation
import Logging
import Synchronization
import Testing
import TocsinCore
@testable import PagerDuty

/// Hole 6: only PagerDuty's "Not Found" to "is there an incident #N?" means the incident does not
/// exist. Any other 404 says which call failed.
@Suite struct NotFoundWordingTests {
    @Test func aMissingIncidentNumberDoesNotExist() async throws {
        let transport = FakeTransport()   // 404 {"error": {"message": "Not Found", "code": 2100}} to everything
        await #expect(throws: IncidentServiceError.notFound(number: 7)) {
            try await Fixture.service(transport).details(of: 7)
        }
    }

    @Test func a404WithoutPagerDutysErrorDocumentSaysWhichCallFailed() async throws {
        let transport = FakeTransport { _ throws(TransportFailure) in HTTPExchangeResponse(status: 404, body: Array("<html>nginx</html>".utf8)) }
        await #expect(throws: IncidentServiceError.rejected(status: 404, message: "PagerDuty answered 404 to GET /incidents/7")) {
            try await Fixture.service(transport).details(of: 7)
        }
    }

    @Test func a404ToTheNotesCallIsNotAMissingIncident() async throws {
        let transport = FakeTransport { request throws(TransportFailure) in
            request.path == "/incidents/1" ? .json(200, Samples.incidentEnvelope(Samples.incident(id: "PXXXX", number: 1)))
                : HTTPExchangeResponse(status: 404, body: Samples.notFoundError)
        }
        await #expect(throws: IncidentServiceError.rejected(
            status: 404, message: "PagerDuty answered 404 to POST /incidents/PXXXX/notes (Not Found)")) {
            try await Fixture.service(transport).addNote(to: 1, content: "x", by: Fixture.alice)
        }
    }

    @Test func a404ToAStaleCachedIDAsksByNumberInstead() async throws {
        let gone = Mutex(false)
        let transport = FakeTransport { request throws(TransportFailure) in
            switch request.path {
            case "/incidents/1": .json(200, Samples.incidentEnvelope(Samples.incident(id: gone.withLock { $0 } ? "PNEWID1" : "POLDID1", number: 1)))
            case "/incidents/PNEWID1": .json(200, Samples.incidentEnvelope(Samples.incident(id: "PNEWID1", number: 1)))
            case "/incidents/POLDID1/notes", "/incidents/PNEWID1/notes": .json(200, #"{"notes": []}"#)
            default: HTTPExchangeResponse(status: 404, body: Samples.notFoundError)
            }
        }
        let service = Fixture.service(transport)
        _ = try await service.details(of: 1)
        #expect(service.cachedIncidentID(1) == "POLDID1")
        gone.withLock { $0 = true }
        let details = try await service.details(of: 1)
        #expect(details.incident.id == "PNEWID1")
        #expect(transport.requests.suffix(4).map(\.path)
            == ["/incidents/POLDID1", "/incidents/1", "/incidents/PNEWID1/notes", "/incidents/PNEWID1/log_entries"])
    }
}

/// Hole 6: `!ack`/`!resolve` failures read like every other command's — `Failed: !ack: …`, once per
/// command — and are logged as command failures.
@Suite struct TransitionFailureReplyTests {
    static let alice = ChatIdentity.irc(network: "libera", account: "alice")
    static let ops = ChatDestination.room("#ops", on: "libera")

    func handler(_ service: PagerDutyService, logs: LogCapture) -> CommandHandler {
        CommandHandler(
            parser: CommandParser(prefix: "!"),
            policy: AuthorizationPolicy(identities: [Self.alice: "alice@example.org"]),
            service: service,
            logger: Logger(label: "test.commands") { _ in logs })
    }

    func message(_ text: String) -> InboundMessage {
        InboundMessage(origin: Self.ops, senderName: "alice", identity: Self.alice, text: text, botNames: ["tocsin"])
    }

    @Test func aFailedBulkUpdateIsOneFailedLineNamingTheNumbers() async throws {
        var configuration = Fixture.configuration
        configuration.circuitBreakerThreshold = 100
        let transport = FakeTransport { request throws(TransportFailure) in
            switch (request.method, request.path) {
            case ("GET", "/incidents/1"), ("GET", "/incidents/P1"): .json(200, Samples.incidentEnvelope(Samples.incident(id: "P1", number: 1)))
            case ("GET", "/incidents/2"), ("GET", "/incidents/P2"): .json(200, Samples.incidentEnvelope(Samples.incident(id: "P2", number: 2)))
            case ("GET", "/incidents/3"): .json(200, Samples.incidentEnvelope(Samples.incident(id: "P3", number: 3, status: "acknowledged")))
            case ("GET", _): HTTPExchangeResponse(status: 404, body: Samples.notFoundError)
            default: .json(503, Samples.internalError)
            }
        }
        let logs = LogCapture()
        let service = Fixture.service(transport, clock: VirtualClock(), configuration: configuration)
        let reply = await handler(service, logs: logs).handle(message("!ack 1 2 3 4"))?.plainText
        // A status write is looked for before it is repeated (KnownIncidentWriteTests), so the line
        // can say it was not applied.
        #expect(reply == "#3 already acknowledged; Failed: !ack: #1, #2: the incident API is unavailable: "
            + "PagerDuty answered 503 to PUT /incidents (An internal error has occurred. PagerDuty team has been notified.) "
            + "(4 attempts); it was not applied; incident #4 does not exist")
        #expect(reply?.components(separatedBy: "Failed:").count == 2, "one Failed: per command")
        #expect(logs.messages.filter { $0 == "command failed" }.count == 1)
    }

    @Test func everyNumberFailingReadsLikeAnyOtherFailedCommand() async throws {
        let logs = LogCapture()
        let service = Fixture.service(FakeTransport())
        let reply = await handler(service, logs: logs).handle(message("!resolve 8 9"))?.plainText
        #expect(reply == "Failed: !resolve: incident #8 does not exist; incident #9 does not exist")
        #expect(logs.messages == ["command failed"])
    }
}

/// Collects log messages (a swift-log handler writing into a lock).
final class LogCapture: LogHandler, @unchecked Sendable {
    private let store = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    var messages: [String] { store.withLock { $0 } }

    func log(event: LogEvent) {
        store.withLock { $0.append(event.message.description) }
    }
}
