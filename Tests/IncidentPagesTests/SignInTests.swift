import Foundation
import GRDB
import Testing
@testable import IncidentPages
import TocsinCore
import TocsinStorage

/// Issue 13, item 2: one-time links, sessions, and what the database keeps of them.
@Suite struct SignInTests {
    let f = PageFixtures.self

    func links(_ database: DatabaseQueue, now: @escaping @Sendable () -> Date, publicURL: String = "https://tocsin.example.org") throws -> SignInLinks {
        SignInLinks(settings: PagesSettings(publicURL: publicURL, linkLifetime: 600, sessionLifetime: 3600),
                    links: try LoginLinkTable(database: database), sessions: try WebSessionTable(database: database), now: now)
    }

    func token(of link: String) -> String { String(link.split(separator: "/").last!) }

    @Test func aLinkSignsInOnceAndNeverAgain() async throws {
        let signIn = try links(DatabaseQueue(), now: { PageFixtures.epoch })
        let link = try await signIn.signInLink(for: f.alice)
        #expect(link.hasPrefix("https://tocsin.example.org/login/"))
        let first = try await signIn.redeem(token(of: link))
        #expect(first?.identity == f.alice)
        #expect(try await signIn.redeem(token(of: link)) == nil)
        #expect(try await signIn.identity(forSession: first?.cookie) == f.alice)
    }

    @Test func anExpiredLinkDoesNotSignIn() async throws {
        let clock = PagesHarness.TestClock()
        let signIn = try links(DatabaseQueue(), now: { clock.now })
        let link = try await signIn.signInLink(for: f.alice)
        clock.now = clock.now.addingTimeInterval(601)
        #expect(try await signIn.redeem(token(of: link)) == nil)
    }

    @Test func aLinkWithAnAlteredSecretDoesNotSignInNorUseUpTheRealOne() async throws {
        let signIn = try links(DatabaseQueue(), now: { PageFixtures.epoch })
        let real = token(of: try await signIn.signInLink(for: f.alice))
        let last = real.last == "0" ? "1" : "0"
        #expect(try await signIn.redeem(String(real.dropLast()) + last) == nil)
        #expect(try await signIn.redeem("../../etc/passwd") == nil)
        #expect(try await signIn.redeem(real)?.identity == f.alice)
    }

    @Test func theDatabaseKeepsOnlyDigestsOfLinkAndSessionSecrets() async throws {
        let database = try DatabaseQueue()
        let signIn = try links(database, now: { PageFixtures.epoch })
        let link = token(of: try await signIn.signInLink(for: f.alice))
        let session = try #require(try await signIn.redeem(link)).cookie
        let verifiers = [link, session].map { String($0.split(separator: ".")[1]) }
        let dump = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT selector || ' ' || verifierHash || ' ' || identity FROM web_login_links UNION ALL SELECT selector || ' ' || verifierHash || ' ' || identity FROM web_sessions")
        }.joined(separator: "\n")
        #expect(dump.contains("irc:libera/alice"))
        for verifier in verifiers { #expect(!dump.contains(verifier)) }
    }

    @Test func sessionsExpire() async throws {
        let clock = PagesHarness.TestClock()
        let signIn = try links(DatabaseQueue(), now: { clock.now })
        let session = try #require(try await signIn.redeem(token(of: try await signIn.signInLink(for: f.alice)))).cookie
        clock.now = clock.now.addingTimeInterval(3601)
        #expect(try await signIn.identity(forSession: session) == nil)
    }

    @Test func theCookieIsHttpOnlyStrictAndSecureOnHTTPS() throws {
        let secure = try links(DatabaseQueue(), now: { PageFixtures.epoch })
        let cookie = secure.sessionCookie("abc")
        #expect(cookie.contains("; HttpOnly"))
        #expect(cookie.contains("; SameSite=Strict"))
        #expect(cookie.contains("; Secure"))
        #expect(cookie.contains("; Max-Age=3600"))
        let plain = try links(DatabaseQueue(), now: { PageFixtures.epoch }, publicURL: "http://127.0.0.1:8080")
        #expect(!plain.sessionCookie("abc").contains("Secure"))
    }

    @Test func constantTimeEqualityComparesWholeStrings() {
        #expect(ConstantTime.equals("abc", "abc"))
        #expect(!ConstantTime.equals("abc", "abd"))
        #expect(!ConstantTime.equals("abc", "abcd"))
        #expect(!ConstantTime.equals("", "a"))
    }
}
