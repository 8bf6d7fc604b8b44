import Foundation
import Hummingbird
import HummingbirdTesting
@testable import HTTPIntake
import Logging
import Testing

/// The intake's own `run()` (no Hummingbird date cache): what a client sees must not change.
@Suite struct IntakeHTTPApplicationTests {
    struct Broken: Error {}

    @Test func dateHeaderIsRFC9110IMFFixdate() {
        // RFC 9110 §5.6.7's example: 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
        #expect(HTTPDateHeader.imfFixdate(epochSecond: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDateHeader.imfFixdate(epochSecond: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDateHeader.imfFixdate(epochSecond: 1_798_761_599) == "Thu, 31 Dec 2026 23:59:59 GMT")
    }

    @Test func dateHeaderIsFormattedAgainOnlyWhenTheSecondChanges() {
        let dates = HTTPDateHeader()
        #expect(dates.value(atEpochSecond: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(dates.value(atEpochSecond: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(dates.value(atEpochSecond: 784_111_778) == "Sun, 06 Nov 1994 08:49:38 GMT")
    }

    @Test func runServesResponsesWithDateAndServerHeadersAnd500ForUnrecognisedErrors() async throws {
        let router = Router()
        router.get("/hello") { _, _ in "hello" }
        router.get("/broken") { _, _ -> String in throw Broken() }
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = IntakeHTTPApplication(
            router: router, server: .http1(),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: "Tocsin"),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                let before = Int(Date().timeIntervalSince1970)
                let hello = try await client.get("/hello")
                let after = Int(Date().timeIntervalSince1970)
                #expect(hello.status == .ok)
                #expect(hello.body.map { String(buffer: $0) } == "hello")
                #expect(hello.headers[.server] == "Tocsin")
                let date = try #require(hello.headers[.date])
                #expect((before...after).map { HTTPDateHeader.imfFixdate(epochSecond: $0) }.contains(date))
                let broken = try await client.get("/broken")
                #expect(broken.status == .internalServerError)
                #expect(broken.headers[.date] != nil)
            }
            group.cancelAll()
        }
    }
}
