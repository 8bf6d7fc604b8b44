import Foundation
import Testing
import TocsinConfig

/// Every `config/*.yml` is loaded as `tocsin check-config` would, so an example can never rot.
@Suite struct ExampleConfigurationTests {
    /// `config/` at the repository root, found from this file (`Tests/TocsinConfigTests/…` → `../../config`).
    static let configDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config")

    static func exampleFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: configDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".yml") }.sorted()
    }

    /// Every `{env: NAME}` the file uses outside comments, so a new example needs no change here.
    static func environmentVariables(in text: String) -> Set<String> {
        let comment = /(^|\s)#.*$/.anchorsMatchLineEndings()
        let pattern = /\{\s*env\s*:\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?\s*\}/
        return Set(text.replacing(comment, with: "").matches(of: pattern).map { String($0.output.1) })
    }

    static func load(_ name: String, environment: [String: String]? = nil) throws -> (TocsinConfiguration, Set<String>) {
        let path = configDirectory.appendingPathComponent(name).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let variables = environmentVariables(in: text)
        let fake = environment ?? Dictionary(uniqueKeysWithValues: variables.map { ($0, "fake-\($0.lowercased())") })
        return (try ConfigurationLoader.load(path: path, environment: fake), variables)
    }

    @Test func configDirectoryHoldsExamples() {
        #expect(Self.exampleFiles().contains("embedded.yml"), "looked in \(Self.configDirectory.path)")
        #expect(Self.exampleFiles().contains("pagerduty.yml"))
    }

    @Test(arguments: exampleFiles())
    func exampleLoadsWithoutProblems(_ name: String) {
        do {
            let (configuration, _) = try Self.load(name)
            #expect(!(configuration.irc ?? []).isEmpty || !(configuration.xmpp ?? []).isEmpty, "\(name) configures no network")
        } catch let error as ConfigurationError {
            Issue.record("\(error)")
        } catch {
            Issue.record("\(name): \(error)")
        }
    }

    @Test(arguments: exampleFiles())
    func exampleSecretsComeFromTheEnvironment(_ name: String) throws {
        let text = try String(contentsOfFile: Self.configDirectory.appendingPathComponent(name).path, encoding: .utf8)
        let variables = Self.environmentVariables(in: text)
        #expect(!variables.isEmpty, "\(name) should show how secrets are read")
        do {
            _ = try Self.load(name, environment: [:])
            Issue.record("\(name) loaded without its secrets")
        } catch let error as ConfigurationError {
            // Each variable missing is one problem, named with its key path.
            #expect(error.problems.allSatisfy { $0.message.hasPrefix("environment variable ") && !$0.path.isEmpty })
            let named = Set(error.problems.compactMap { problem in variables.first { problem.message.contains("variable \($0) is") } })
            #expect(named == variables)
        }
    }

    @Test func environmentVariableNamesAreFoundInFlowAndBlockStyle() {
        let text = """
            a: {env: ONE}
            b: { env: TWO }
            c: {env: "THREE"}
            room: "#ops"   # {env: COMMENTED}
            # d: {env: ALSO_COMMENTED}
            """
        #expect(Self.environmentVariables(in: text) == ["ONE", "TWO", "THREE"])
    }
}
