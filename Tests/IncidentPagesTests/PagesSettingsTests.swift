import Testing
@testable import IncidentPages

@Suite struct PagesSettingsTests {
    @Test func publicURLLosesItsTrailingSlashAndHTTPSMeansSecureCookies() {
        let settings = PagesSettings(publicURL: "https://tocsin.example.org/")
        #expect(settings.publicURL == "https://tocsin.example.org")
        #expect(settings.isSecure)
        #expect(!PagesSettings(publicURL: "http://127.0.0.1:8080").isSecure)
    }
}
