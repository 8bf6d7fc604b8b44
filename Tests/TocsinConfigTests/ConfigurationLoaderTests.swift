import Foundation
import Testing
import TocsinConfig
import TocsinCore

@Suite struct ConfigurationLoaderTests {
    typealias M = MinimalConfiguration

    @Test func minimalConfigurationLoads() throws {
        let configuration = try ConfigurationLoader.load(yaml: M.yaml(), environment: M.environment)
        #expect(configuration.irc?.first?.port == 6697)
        #expect(configuration.commandPrefix == "!")
    }

    @Test func wrongTypeNamesTheKeyAndTheExpectedType() {
        let found = problems(in: M.yaml(port: "\"abc\""), environment: M.environment)
        #expect(found == [ConfigurationProblem(path: "irc[0].port", message: "expected an integer")])
        #expect(found.first?.description == "irc[0].port: expected an integer")
    }

    @Test func listWhereAMappingIsExpectedIsNamed() {
        let found = problems(in: """
            gateway: [database]
            backend: {kind: embedded, embedded: {services: [{name: api}]}}
            """)
        #expect(found.first?.path == "gateway")
        #expect(found.first?.message.hasPrefix("expected ") == true)
    }

    @Test func missingRequiredKeyIsNamed() {
        let yaml = M.yaml().replacingOccurrences(of: "    host: irc.libera.chat\n", with: "")
        #expect(problems(in: yaml, environment: M.environment) == [ConfigurationProblem(path: "irc[0].host", message: "required key is missing")])
    }

    @Test func missingTopLevelSectionIsNamed() {
        let found = problems(in: "gateway: {database: /tmp/t.sqlite}\n")
        #expect(found == [ConfigurationProblem(path: "backend", message: "required key is missing")])
    }

    @Test func misspeltKeyIsReportedNotIgnored() {
        let yaml = M.yaml().replacingOccurrences(of: "    rooms:\n", with: "    romos:\n")
        #expect(problems(in: yaml, environment: M.environment)
            == [ConfigurationProblem(path: "irc[0].romos", message: "unknown key (check its spelling and indentation)")])
    }

    @Test func unknownKeysAreFoundAtEveryDepth() {
        let found = problems(in: M.yaml(tail: "rootes: []\nlogging: {levle: info}"), environment: M.environment)
        #expect(Set(found.map(\.path)) == ["rootes", "logging.levle"])
    }

    @Test func keyLeftEmptyIsNotUnknown() throws {
        let configuration = try ConfigurationLoader.load(yaml: M.yaml(tail: "logging:\ndirect_messages: ~"), environment: M.environment)
        #expect(configuration.logging == nil)
    }

    @Test(arguments: ["0", "65536", "-1", "100000"])
    func portOutsideTheValidRangeIsRefused(_ port: String) {
        #expect(problems(in: M.yaml(port: port), environment: M.environment)
            == [ConfigurationProblem(path: "irc[0].port", message: "expected 1–65535, got \(port)")])
    }

    @Test func routeToAnUnknownNetworkIsRefused() {
        let found = problems(in: M.yaml(route: "{network: oftc, room: \"#ops\"}"), environment: M.environment)
        #expect(found == [ConfigurationProblem(path: "routes[0].network", message: "no network named \"oftc\" under irc: or xmpp:")])
    }

    @Test func routeToAnUnknownServiceIsRefused() {
        let found = problems(in: M.yaml(route: "{network: libera, room: \"#ops\", services: [API, web]}"), environment: M.environment)
        #expect(found == [ConfigurationProblem(path: "routes[0].services", message: "no service named \"web\" under backend.embedded.services")])
    }

    @Test(arguments: ["alice", "irc:libera", "xmpp:alice", "irc:libera/al ice", "xmpp:bob@example.org/phone"])
    func malformedIdentityIsRefusedWithTheExpectedForm(_ identity: String) {
        let yaml = M.yaml().replacingOccurrences(of: "chat: irc:libera/alice", with: "chat: \"\(identity)\"")
        let found = problems(in: yaml, environment: M.environment)
        #expect(found == [ConfigurationProblem(path: "identities[0].chat",
                                               message: "expected irc:NETWORK/ACCOUNT or xmpp:user@domain, got \"\(identity)\"")])
    }

    @Test func identityOnAnUnknownIRCNetworkIsRefused() {
        let yaml = M.yaml().replacingOccurrences(of: "chat: irc:libera/alice", with: "chat: irc:oftc/alice")
        #expect(problems(in: yaml, environment: M.environment)
            == [ConfigurationProblem(path: "identities[0].chat", message: "no IRC network named \"oftc\" under irc:")])
    }

    @Test func missingEnvironmentSecretNamesTheVariable() {
        #expect(problems(in: M.yaml(), environment: [:])
            == [ConfigurationProblem(path: "irc[0].sasl.password", message: "environment variable TOCSIN_IRC_PASSWORD is not set", isUnreadableSecret: true)])
    }

    /// `check-config` on a build machine: unreadable secrets are warnings, listed separately.
    @Test func secretsCanBeLeftUnresolvedAndAreListedSeparately() throws {
        let configuration = try ConfigurationLoader.load(yaml: M.yaml(), environment: [:], requireSecrets: false)
        #expect(ConfigurationLoader.unreadableSecrets(in: configuration, environment: [:]).map(\.path) == ["irc[0].sasl.password"])
        #expect(ConfigurationLoader.unreadableSecrets(in: configuration, environment: M.environment).isEmpty)
    }

    @Test func saslPlainNeedsAPassword() {
        #expect(problems(in: M.yaml(sasl: "{account: tocsin}"))
            == [ConfigurationProblem(path: "irc[0].sasl.password", message: "required for SASL PLAIN")])
        #expect(problems(in: M.yaml(sasl: "{mechanism: PLAIN, password: x}"))
            == [ConfigurationProblem(path: "irc[0].sasl.account", message: "required for SASL PLAIN")])
    }

    @Test func saslExternalNeedsAClientCertificate() {
        #expect(problems(in: M.yaml(sasl: "{mechanism: EXTERNAL}"))
            == [ConfigurationProblem(path: "irc[0].tls.client_certificate", message: "required for SASL EXTERNAL")])
    }

    @Test(arguments: ["gateway: [unclosed", "gateway:\n\tdatabase: x", "a: b: c", "gateway: {database: \"x}"])
    func invalidYAMLIsReportedAsSuch(_ yaml: String) {
        let found = problems(in: yaml)
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix("not valid YAML: ") == true, "\(found)")
        #expect(found.first?.path == "")
    }

    @Test func yamlSyntaxErrorSaysWhere() {
        let found = problems(in: "gateway:\n  database: /x\nbackend: [unclosed\n")
        #expect(found.first?.message.contains("line 3") == true, "\(found)")
    }

    @Test func everyProblemIsReportedAtOnce() {
        let yaml = M.yaml(port: "0", route: "{network: oftc, room: \"#ops\", services: [web]}", tail: "loging: {level: info}")
        let found = problems(in: yaml, environment: [:])
        #expect(Set(found) == [
            ConfigurationProblem(path: "loging", message: "unknown key (check its spelling and indentation)"),
            ConfigurationProblem(path: "irc[0].port", message: "expected 1–65535, got 0"),
            ConfigurationProblem(path: "irc[0].sasl.password", message: "environment variable TOCSIN_IRC_PASSWORD is not set", isUnreadableSecret: true),
            ConfigurationProblem(path: "routes[0].network", message: "no network named \"oftc\" under irc: or xmpp:"),
            ConfigurationProblem(path: "routes[0].services", message: "no service named \"web\" under backend.embedded.services"),
        ])
    }

    @Test func errorDescriptionListsEveryProblemUnderTheFile() {
        let error = ConfigurationError(file: "tocsin.yml", problems: [
            ConfigurationProblem(path: "irc[0].port", message: "expected 1–65535, got 0"),
            ConfigurationProblem(path: "", message: "not valid YAML"),
        ])
        #expect(error.description == "tocsin.yml: 2 problems\n  - irc[0].port: expected 1–65535, got 0\n  - not valid YAML")
        #expect(ConfigurationError(file: "x.yml", problems: [ConfigurationProblem(path: "a", message: "b")]).description == "x.yml: 1 problem\n  - a: b")
    }

    @Test func missingFileIsReportedWithItsPath() {
        do {
            _ = try ConfigurationLoader.load(path: "/nonexistent/tocsin.yml", environment: [:])
            Issue.record("a missing file must not load")
        } catch {
            #expect(error.file == "/nonexistent/tocsin.yml")
            #expect(error.problems.first?.message.hasPrefix("cannot read the file") == true)
        }
    }

    @Test func loadFromPathReportsTheFileName() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-\(UUID().uuidString).yml").path
        try M.yaml(port: "0").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try ConfigurationLoader.load(path: path, environment: M.environment)
            Issue.record("port 0 must be refused")
        } catch {
            #expect(error.file == path)
            #expect(error.description.hasPrefix("\(path): 1 problem\n  - irc[0].port:"))
        }
    }

    @Test(arguments: [("\"\"", "expected 1–3 non-space characters, got \"\""), ("\"! \"", "expected 1–3 non-space characters, got \"! \""),
                      ("\"!!!!\"", "expected 1–3 non-space characters, got \"!!!!\"")])
    func commandPrefixMustBeShortAndSpaceFree(_ prefix: String, _ message: String) {
        let yaml = M.yaml().replacingOccurrences(of: "gateway:\n", with: "gateway:\n  command_prefix: \(prefix)\n")
        #expect(problems(in: yaml, environment: M.environment) == [ConfigurationProblem(path: "gateway.command_prefix", message: message)])
    }

    @Test func configuredPrefixIsUsed() throws {
        let yaml = M.yaml().replacingOccurrences(of: "gateway:\n", with: "gateway:\n  command_prefix: \".\"\n")
        #expect(try ConfigurationLoader.load(yaml: yaml, environment: M.environment).commandPrefix == ".")
    }

    @Test func unknownCommandInAPolicyIsRefused() {
        let yaml = M.yaml().replacingOccurrences(of: "      - name: \"#ops\"\n", with: "      - name: \"#ops\"\n        policy: {commands: [ack, frobnicate]}\n")
        let found = problems(in: yaml, environment: M.environment)
        #expect(found.count == 1)
        #expect(found.first?.path == "irc[0].rooms[0].policy.commands[1]")
    }

    @Test func channelNamesMustLookLikeChannels() {
        let yaml = M.yaml().replacingOccurrences(of: "name: \"#ops\"", with: "name: ops")
        #expect(problems(in: yaml, environment: M.environment)
            == [ConfigurationProblem(path: "irc[0].rooms[0].name", message: "expected a channel like #ops, got \"ops\"")])
    }
}
