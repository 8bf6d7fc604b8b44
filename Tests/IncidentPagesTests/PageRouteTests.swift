import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import IncidentPages
import TocsinCore

/// The pages over HTTP: sessions required, links one-time, no open redirect, visibility, escaping.
@Suite struct PageRouteTests {
    let f = PageFixtures.self

    @Test func everyPageNeedsASession() async throws {
        let harness = try PagesHarness()
        try await harness.run { client in
            for path in ["/incidents", "/incidents/1", "/incidents/1/postmortem.md"] {
                let response = try await client.get(path, cookie: nil)
                #expect(response.status == .unauthorized, "\(path)")
                #expect(response.text.contains("Sign in with chat"))
                #expect(!response.text.contains("API latency"))
            }
            let forged = try await client.get("/incidents/1", cookie: "tocsin_session=" + String(repeating: "a", count: 32) + "." + String(repeating: "b", count: 64))
            #expect(forged.status == .unauthorized)
        }
    }

    @Test func aLinkSignsInOnceAndThePageShowsTheIncident() async throws {
        let harness = try PagesHarness()
        let path = try await harness.loginPath()
        try await harness.run { client in
            let button = try await client.execute(uri: path, method: .get)
            let form = try #require(SignInFormFields(button.text))
            let login = try await client.postSignIn(token: form.token, next: form.next)
            #expect(login.status == .seeOther)
            #expect(login.headers[.location] == "/incidents")
            let cookie = try #require(login.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"))
            let session = String(cookie.split(separator: ";")[0])
            let page = try await client.get("/incidents/1", cookie: session)
            #expect(page.status == .ok)
            #expect(page.text.contains("<h1 id=\"title\">#1 API latency</h1>"))
            #expect(page.text.contains("signed in as irc:libera/alice"))
            let again = try await client.execute(uri: path, method: .get)
            #expect(again.status == .forbidden)
            #expect(again.headers[.setCookie] == nil)
            let reused = try await client.postSignIn(token: form.token, next: form.next)
            #expect(reused.status == .forbidden)
            #expect(reused.headers[.setCookie] == nil)
        }
    }

    @Test func aSignInNeverRedirectsAwayFromThePages() async throws {
        for next in ["//evil.example/x", "https://evil.example", "/\\evil.example", "/incidents/../../x", "/incidents/1/../../x",
                     "/incidents/abc", "/logout", "/incidents/1/postmortem.md/x", "%2F%2Fevil.example"] {
            #expect(IncidentPageRoutes.safeNext(next) == "/incidents" || IncidentPageRoutes.safeNext(next).hasPrefix("/incidents/"), "\(next)")
            #expect(!IncidentPageRoutes.safeNext(next).contains("evil"))
        }
        #expect(IncidentPageRoutes.safeNext("/incidents/12") == "/incidents/12")
        #expect(IncidentPageRoutes.safeNext("/incidents/12/postmortem.md") == "/incidents/12/postmortem.md")
        let harness = try PagesHarness()
        let path = try await harness.loginPath()
        try await harness.run { client in
            let button = try await client.execute(uri: path + "?next=//evil.example/x", method: .get)
            let form = try #require(SignInFormFields(button.text))
            #expect(form.next == "/incidents")
            #expect(!button.text.contains("evil"))
            let login = try await client.postSignIn(token: form.token, next: "//evil.example/x")
            #expect(login.status == .seeOther)
            #expect(login.headers[.location] == "/incidents")
        }
    }

    @Test func anIncidentTheIdentityMayNotSeeAnswersLikeOneThatDoesNotExist() async throws {
        let harness = try PagesHarness()
        let path = try await harness.loginPath()
        try await harness.run { client in
            let session = try #require(try await client.signIn(path))
            let hidden = try await client.get("/incidents/2", cookie: session)
            let missing = try await client.get("/incidents/99", cookie: session)
            #expect(hidden.status == .notFound)
            #expect(missing.status == .notFound)
            #expect(!hidden.text.contains("Payroll"))
            #expect(try await client.get("/incidents/2/postmortem.md", cookie: session).status == .notFound)
            let list = try await client.get("/incidents?status=all", cookie: session)
            #expect(list.text.contains("#1 API latency"))
            #expect(!list.text.contains("Payroll"))
        }
    }

    @Test func anIdentityOnAnotherNetworkSeesNothing() async throws {
        let harness = try PagesHarness()
        let path = try await harness.loginPath(.irc(network: "elsewhere", account: "alice"))
        try await harness.run { client in
            let session = try #require(try await client.signIn(path))
            #expect(try await client.get("/incidents/1", cookie: session).status == .notFound)
        }
    }

    @Test func whatPeopleWroteIsEscapedEverywhere() async throws {
        let evil = "<script>alert(1)</script>\" onmouseover=\"x' &amp;"
        let record = IncidentRecord(incident: f.incident(1, title: evil), notes: [IncidentNote(author: evil, content: evil, createdAt: f.epoch)],
                                    events: [IncidentHistoryEvent(at: f.epoch, actor: evil, kind: "triggered", summary: evil)])
        let harness = try PagesHarness(records: [1: record])
        let line = RecordedChatLine(incident: 1, at: f.epoch.addingTimeInterval(5), network: f.network, room: "#ops", nick: evil,
                                    identity: nil, text: evil, isBot: false)
        try await harness.pages.chat.append([line])
        let path = try await harness.loginPath()
        try await harness.run { client in
            let session = try #require(try await client.signIn(path))
            for uri in ["/incidents/1", "/incidents?status=all&service=%3Cscript%3E&team=%22%3E%3Cb%3E"] {
                let page = try await client.get(uri, cookie: session)
                #expect(!page.text.contains("<script>"), "\(uri)")
                #expect(!page.text.contains("\" onmouseover"), "\(uri)")
                #expect(!page.text.contains("\"><b>"), "\(uri)")
            }
            let page = try await client.get("/incidents/1", cookie: session)
            #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x&#39; &amp;amp;"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(page.headers[.cacheControl] == "no-store")
            let markdown = try await client.get("/incidents/1/postmortem.md", cookie: session)
            #expect(markdown.headers[.contentType] == "text/markdown; charset=utf-8")
            #expect(!markdown.text.contains("<script>"))
        }
    }

    @Test func theListFiltersByStatusServiceAndTeamNewestFirstInPages() async throws {
        var records: [Int: IncidentRecord] = [:]
        for number in 1...30 {
            records[number] = IncidentRecord(incident: f.incident(number, title: "Incident \(number)", team: number.isMultiple(of: 2) ? "even" : "odd",
                                                                  status: number <= 3 ? .resolved : .triggered), notes: [], events: [])
        }
        let harness = try PagesHarness(records: records)
        let path = try await harness.loginPath()
        try await harness.run { client in
            let session = try #require(try await client.signIn(path))
            let first = try await client.get("/incidents", cookie: session).text
            #expect(first.contains("#30 Incident 30"))
            #expect(first.range(of: "#30 Incident 30")!.lowerBound < first.range(of: "#29 Incident 29")!.lowerBound)
            #expect(!first.contains("#5 Incident 5<"))
            #expect(first.contains("rel=\"next\" href=\"/incidents?status=open&amp;page=2\""))
            let second = try await client.get("/incidents?status=open&page=2", cookie: session).text
            #expect(second.contains("#4 Incident 4<"))
            #expect(!second.contains("#3 Incident 3<"))
            let resolved = try await client.get("/incidents?status=resolved", cookie: session).text
            #expect(resolved.contains("#3 Incident 3<") && !resolved.contains("#4 Incident 4<"))
            let even = try await client.get("/incidents?status=all&team=even", cookie: session).text
            #expect(even.contains("#30 Incident 30<") && !even.contains("#29 Incident 29<"))
        }
    }

    @Test func signingOutEndsTheSession() async throws {
        let harness = try PagesHarness()
        let path = try await harness.loginPath()
        try await harness.run { client in
            let session = try #require(try await client.signIn(path))
            var headers = HTTPFields()
            headers[.cookie] = session
            let out = try await client.execute(uri: "/logout", method: .post, headers: headers)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await client.get("/incidents", cookie: session).status == .unauthorized)
        }
    }
}
