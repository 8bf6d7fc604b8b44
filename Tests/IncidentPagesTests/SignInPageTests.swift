import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import IncidentPages
import TocsinCore

/// One-time links survive link previews: chat clients, bots and proxies that unfurl URLs fetch a
/// GET before the person clicks. A GET shows only a "Sign in as …" button; only the POST it sends
/// uses the link, and only from the pages' own origin.
@Suite struct SignInPageTests {
    let f = PageFixtures.self

    func token(of path: String) -> String { String(path.split(separator: "/").last!.split(separator: "?")[0]) }

    @Test func aGETDoesNotConsumeTheLink() async throws {
        let harness = try PagesHarness()
        let path = try await harness.loginPath()
        try await harness.run { client in
            for _ in 1...3 {  // a preview bot, another one, then the person
                let page = try await client.execute(uri: path, method: .get)
                #expect(page.status == .ok)
                #expect(page.headers[.setCookie] == nil)
                #expect(page.text.contains("Sign in as irc:libera/alice</button>"))
            }
            let session = try #require(try await client.signIn(path))
            #expect(try await client.get("/incidents/1", cookie: session).status == .ok)
            #expect(try await client.execute(uri: path, method: .get).status == .forbidden)
        }
    }

    @Test func theSignInPageShowsOnlyAButtonThatPostsTheToken() async throws {
        let harness = try PagesHarness()
        let path = try await harness.loginPath()
        try await harness.run { client in
            let page = try await client.execute(uri: path + "?next=/incidents/1", method: .get)
            let form = try #require(SignInFormFields(page.text))
            #expect(form.token == token(of: path))
            #expect(form.next == "/incidents/1")
            #expect(page.text.contains("<title>Sign in · Tocsin</title>"))  // what a preview shows names no one
            #expect(!page.text.contains("signed in as"))
            #expect(!page.text.contains("API latency"))
            #expect(!page.text.contains("<script"))
            #expect(page.headers[.cacheControl] == "no-store")
            // The button's POST must carry our Origin (no-referrer would make it `null`), and the
            // Referer must not carry this page's path with the token.
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "strict-origin")
            #expect(page.headers[.contentSecurityPolicy]?.contains("form-action 'self'") == true)
        }
    }

    @Test func anUnusableLinkShowsNoButton() async throws {
        let harness = try PagesHarness()
        let path = try await harness.loginPath()
        try await harness.run { client in
            let real = token(of: path)
            let altered = String(real.dropLast()) + (real.last == "0" ? "1" : "0")
            for uri in ["/login/" + altered, "/login/junk", "/login/" + String(repeating: "a", count: 32) + "." + String(repeating: "b", count: 64)] {
                let page = try await client.execute(uri: uri, method: .get)
                #expect(page.status == .forbidden, "\(uri)")
                #expect(!page.text.contains("Sign in as"), "\(uri)")
                #expect(!page.text.contains("irc:libera/alice"), "\(uri)")
            }
            #expect(try await client.signIn(path) != nil)  // the real one still works
        }
    }

    @Test func aPOSTFromAnotherOriginIsRefusedAndLeavesTheLinkUnused() async throws {
        let harness = try PagesHarness()
        let path = try await harness.loginPath()
        try await harness.run { client in
            let token = token(of: path)
            for origin in ["https://evil.example", "null", "http://tocsin.example.org", "https://tocsin.example.org.evil.example",
                           "https://tocsin.example.org:8443", "https://user@tocsin.example.org", ""] {
                let refused = try await client.postSignIn(token: token, origin: origin)
                #expect(refused.status == .forbidden, "Origin: \(origin)")
                #expect(refused.headers[.setCookie] == nil, "Origin: \(origin)")
            }
            let crossSite = try await client.postSignIn(token: token, origin: nil, extraHeaders: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(crossSite.status == .forbidden)
            #expect(crossSite.headers[.setCookie] == nil)
            let own = try await client.postSignIn(token: token, origin: "https://TOCSIN.example.org:443",
                                                 extraHeaders: [HTTPField.Name("Sec-Fetch-Site")!: "same-origin"])
            #expect(own.status == .seeOther)
            #expect(own.headers[.setCookie]?.hasPrefix("tocsin_session=") == true)
        }
    }

    @Test func aPOSTWithoutOriginFromAToolSignsIn() async throws {
        let harness = try PagesHarness()
        let path = try await harness.loginPath()
        try await harness.run { client in
            let response = try await client.postSignIn(token: token(of: path), next: "/incidents/1/postmortem.md", origin: nil)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/incidents/1/postmortem.md")
        }
    }

    @Test func aPOSTWithoutAUsableTokenSignsNobodyIn() async throws {
        let harness = try PagesHarness()
        let path = try await harness.loginPath()
        try await harness.run { client in
            let headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: "https://tocsin.example.org"]
            for body in ["", "next=/incidents", "token=../../etc/passwd", "token=" + String(repeating: "a", count: 10_000),
                         "token=" + token(of: path) + "x"] {
                let response = try await client.execute(uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(response.status == .forbidden, "\(body.prefix(40))")
                #expect(response.headers[.setCookie] == nil)
            }
            // The token belongs in the body: a POST to the link's own address is no sign-in.
            #expect(try await client.execute(uri: path, method: .post, headers: headers).headers[.setCookie] == nil)
            #expect(try await client.signIn(path) != nil)
        }
    }

    @Test func theSecretIsNeverLogged() async throws {
        let capture = LogCapture()
        let harness = try PagesHarness(logger: capture.logger)
        let path = try await harness.loginPath()
        let verifier = String(token(of: path).split(separator: ".")[1])
        try await harness.run { client in
            _ = try await client.execute(uri: path, method: .get)
            _ = try await client.postSignIn(token: token(of: path), origin: "https://evil.example")
            let session = try #require(try await client.signIn(path))
            _ = try await client.postSignIn(token: token(of: path))  // used
            _ = try await client.get("/incidents/1", cookie: session)
        }
        #expect(capture.text.contains("signed in to the incident pages"))  // the capture works
        #expect(capture.text.contains("sign-in refused"))
        #expect(!capture.text.contains(verifier))
    }
}
