import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing
import TocsinConfig
import TocsinCore
import TocsinGateway

/// The assembly mounts the incident pages on the intake when `public_url` is set (issue 13): the
/// announcement's link answers, behind a session, on the embedded store.
@Suite struct PagesGatewayTests {
    @Test func theAnnouncementLinkLeadsToARealPageBehindASession() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-pages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let assembly = try await GatewayAssembly(
            configuration: try WholeGatewayTests.configuration(database: directory.appendingPathComponent("tocsin.sqlite").path),
            metrics: PrometheusCollectorRegistry(), logger: logger, transportFactory: FakeTransports().factory,
            environment: ["TEST_ROUTING_KEY": WholeGatewayTests.routingKey])
        let web = try #require(assembly.gateway.commands.web)
        let link = try await web.signInLink(for: .irc(network: "example", account: "alice"))
        #expect(link.hasPrefix("https://tocsin.test/login/"))
        try await Application(router: assembly.intakeRouter).test(.router) { client in
            let enqueued = try await client.execute(
                uri: "/v2/enqueue", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: """
                    {"routing_key": "\(WholeGatewayTests.routingKey)", "event_action": "trigger",
                     "payload": {"summary": "disk full on db1", "source": "db1", "severity": "critical"}}
                    """))
            #expect(enqueued.status == .accepted)
            #expect(try await client.execute(uri: "/incidents/1", method: .get).status == .unauthorized)
            // The link's GET shows a button and uses nothing; the button's POST signs in.
            let button = try await client.execute(uri: String(link.dropFirst("https://tocsin.test".count)) + "?next=/incidents/1", method: .get)
            #expect(button.status == .ok)
            #expect(String(buffer: button.body).contains("Sign in as irc:example/alice"))
            let token = String(link.split(separator: "/").last!)
            let login = try await client.execute(
                uri: "/login", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .origin: "https://tocsin.test"],
                body: ByteBuffer(string: "token=\(token)&next=%2Fincidents%2F1"))
            #expect(login.status == .seeOther)
            #expect(login.headers[.location] == "/incidents/1")
            let cookie = try #require(login.headers[.setCookie]?.split(separator: ";").first.map(String.init))
            let page = try await client.execute(uri: "/incidents/1", method: .get, headers: [.cookie: cookie])
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("#1 disk full on db1</h1>"))
        }
    }
}
