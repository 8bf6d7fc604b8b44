import Hummingbird
import HummingbirdTesting
import Testing
import TocsinCore
import TocsinGateway

/// The assembly mounts the incident pages on the intake when `public_url` is set (issue 13): the
/// announcement's link answers, behind a session, on the embedded store.
@Suite struct PagesGatewayTests {
    @Test func theAnnouncementLinkLeadsToARealPageBehindASession() async throws {
        try await GatewayFixture.withDatabase { database in
            let assembly = try await GatewayFixture.assemble(database)
            let web = try #require(assembly.gateway.commands.web)
            let link = try await web.signInLink(for: .irc(network: "example", account: "alice"))
            #expect(link.hasPrefix("https://tocsin.test/login/"))
            try await GatewayFixture.trigger("disk full on db1", severity: "critical", on: assembly)
            try await Application(router: assembly.intakeRouter).test(.router) { client in
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
}
