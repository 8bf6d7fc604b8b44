import Testing
import TocsinConfig

/// `xmpp[].muc_services`: the MUC service domains trusted without discovery (issue 10).
@Suite struct MUCServicesConfigurationTests {
    typealias M = MinimalConfiguration

    static func xmpp(mucServices: String) -> String {
        """
        xmpp:
          - name: jabber
            jid: tocsin@example.org
            password: {env: TOCSIN_IRC_PASSWORD}
            nick: tocsin
            muc_services: \(mucServices)
        """
    }

    @Test func serviceDomainsLoad() throws {
        let configuration = try ConfigurationLoader.load(
            yaml: M.yaml(tail: Self.xmpp(mucServices: "[conference.example.org, muc.example.net]")), environment: M.environment)
        #expect(configuration.xmpp?.first?.mucServices == ["conference.example.org", "muc.example.net"])
    }

    @Test(arguments: ["rooms@conference.example.org", "conference.example.org/x", "\"\"", "\"conference example\""])
    func aServiceMustBeADomain(_ service: String) {
        #expect(problems(in: M.yaml(tail: Self.xmpp(mucServices: "[\(service)]")), environment: M.environment)
            .contains { $0.path == "xmpp[0].muc_services[0]" })
    }
}
