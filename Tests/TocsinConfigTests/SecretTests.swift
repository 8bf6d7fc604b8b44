import Foundation
import Testing
import TocsinConfig
import TocsinCore

@Suite struct SecretTests {
    func temporaryFile(_ contents: Data) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-secret-\(UUID().uuidString)").path
        try contents.write(to: URL(fileURLWithPath: path))
        return path
    }

    func failure(_ result: Result<String, SecretError>) -> String? {
        if case .failure(let error) = result { error.reason } else { nil }
    }

    @Test func environmentSecretReadsTheVariable() throws {
        #expect(try Secret.environment("TOKEN").resolve(environment: ["TOKEN": "abc"]).get() == "abc")
    }

    @Test func missingOrEmptyVariableIsNamed() {
        let missing = "environment variable TOKEN is not set"
        #expect(failure(Secret.environment("TOKEN").resolve(environment: [:])) == missing)
        #expect(failure(Secret.environment("TOKEN").resolve(environment: ["TOKEN": ""])) == missing)
    }

    @Test func fileSecretIsReadWithoutTheTrailingNewline() throws {
        let path = try temporaryFile(Data("s3cret\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Secret.file(path).resolve(environment: [:]).get() == "s3cret")
    }

    @Test func emptySecretFileIsRefused() throws {
        for contents in ["", "\n", "\r\n\n"] {
            let path = try temporaryFile(Data(contents.utf8))
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(failure(Secret.file(path).resolve(environment: [:])) == "secret file \(path) is empty")
        }
    }

    @Test func unreadableSecretFileIsRefused() throws {
        let missing = "/nonexistent/tocsin/secret"
        #expect(failure(Secret.file(missing).resolve(environment: [:])) == "cannot read secret file \(missing)")
        let directory = FileManager.default.temporaryDirectory.path
        #expect(failure(Secret.file(directory).resolve(environment: [:])) == "cannot read secret file \(directory)")
        let binary = try temporaryFile(Data([0xff, 0xfe, 0x00, 0xc3]))
        defer { try? FileManager.default.removeItem(atPath: binary) }
        #expect(failure(Secret.file(binary).resolve(environment: [:])) == "cannot read secret file \(binary)")
    }

    @Test func inlineSecretIsItsOwnValue() throws {
        #expect(try Secret.inline("hunter2").resolve(environment: [:]).get() == "hunter2")
    }

    @Test func descriptionNeverShowsTheValue() {
        #expect(Secret.inline("hunter2").description == "<inline secret>")
        #expect(Secret.environment("TOKEN").description == "$TOKEN")
        #expect(Secret.file("/etc/tocsin/token").description == "file /etc/tocsin/token")
        #expect(!"\(Secret.inline("hunter2"))".contains("hunter2"))
        #expect(!String(reflecting: Secret.inline("hunter2")).contains("hunter2"))
    }

    @Test func settingsHoldingASecretDoNotPrintIt() throws {
        let yaml = """
            gateway: {database: /tmp/t.sqlite}
            backend: {kind: embedded, embedded: {services: [{name: api}]}}
            irc:
              - {name: libera, host: irc.libera.chat, nick: tocsin, sasl: {account: tocsin, password: hunter2}}
            """
        let configuration = try ConfigurationLoader.load(yaml: yaml, environment: [:])
        #expect(!"\(configuration)".contains("hunter2"))
        #expect(!String(reflecting: configuration).contains("hunter2"))
    }

    @Test(arguments: [("{env: TOKEN}", Secret.environment("TOKEN")), ("literal-value", .inline("literal-value")), ("\"12345\"", .inline("12345"))])
    func secretsDecodeFromEveryForm(_ yaml: String, _ expected: Secret) throws {
        let configuration = try ConfigurationLoader.load(yaml: """
            gateway: {database: /tmp/t.sqlite}
            backend: {kind: pagerduty, pagerduty: {api_token: \(yaml)}}
            """, environment: ["TOKEN": "x"])
        #expect(configuration.backend.pagerduty?.apiToken == expected)
    }

    @Test func fileSecretsAreCheckedAtLoad() {
        let found = problems(in: """
            gateway: {database: /tmp/t.sqlite}
            backend: {kind: pagerduty, pagerduty: {api_token: {file: /run/secrets/missing}}}
            """)
        #expect(found == [ConfigurationProblem(path: "backend.pagerduty.api_token", message: "cannot read secret file /run/secrets/missing", isUnreadableSecret: true)])
    }

    @Test func secretMappingWithoutEnvOrFileIsRefused() {
        let found = problems(in: """
            gateway: {database: /tmp/t.sqlite}
            backend: {kind: pagerduty, pagerduty: {api_token: {envv: TOKEN}}}
            """)
        #expect(found == [ConfigurationProblem(path: "backend.pagerduty.api_token", message: "expected {env: VARIABLE}, {file: PATH} or a string")])
    }
}
