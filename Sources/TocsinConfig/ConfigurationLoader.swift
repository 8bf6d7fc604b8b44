import Foundation
import TocsinCore
import Yams

/// Reads, decodes and validates `tocsin.yml`, reporting every problem with its key path.
public enum ConfigurationLoader {
    /// - Parameter requireSecrets: when false, secrets that cannot be read here are not problems
    ///   (`check-config` on a build machine); use ``unreadableSecrets(in:environment:)`` to list them.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment, requireSecrets: Bool = true
    ) throws(ConfigurationError) -> TocsinConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, problems: [ConfigurationProblem(path: "", message: "cannot read the file (does it exist and is it readable?)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, problems: [ConfigurationProblem(path: "", message: "not UTF-8 text")])
        }
        return try load(yaml: text, file: path, environment: environment, requireSecrets: requireSecrets)
    }

    public static func load(
        yaml: String, file: String = "<config>", environment: [String: String], requireSecrets: Bool = true
    ) throws(ConfigurationError) -> TocsinConfiguration {
        let configuration: TocsinConfiguration
        do {
            configuration = try YAMLDecoder().decode(TocsinConfiguration.self, from: yaml)
        } catch {
            throw ConfigurationError(file: file, problems: [problem(from: error)])
        }
        var problems = unknownKeys(in: yaml, decoded: configuration)
        problems += ConfigurationValidator(configuration: configuration, environment: environment).problems()
            .filter { requireSecrets || !$0.isUnreadableSecret }
        guard problems.isEmpty else { throw ConfigurationError(file: file, problems: problems) }
        return configuration
    }

    /// Secrets of a valid configuration that cannot be read with this environment.
    public static func unreadableSecrets(in configuration: TocsinConfiguration, environment: [String: String]) -> [ConfigurationProblem] {
        ConfigurationValidator(configuration: configuration, environment: environment).problems().filter(\.isUnreadableSecret)
    }

    static func problem(from error: any Error) -> ConfigurationProblem {
        switch error {
        case DecodingError.typeMismatch(let type, let context):
            return ConfigurationProblem(path: keyPath(context.codingPath), message: "expected \(describe(type))")
        case DecodingError.valueNotFound(let type, let context):
            return ConfigurationProblem(path: keyPath(context.codingPath), message: "expected \(describe(type)), found nothing")
        case DecodingError.keyNotFound(let key, let context):
            return ConfigurationProblem(path: keyPath(context.codingPath + [key]), message: "required key is missing")
        case DecodingError.dataCorrupted(let context):
            // Yams wraps syntax errors as "not valid YAML" without the line; the underlying error has it.
            if let yamlError = context.underlyingError as? YamlError {
                return ConfigurationProblem(path: "", message: "not valid YAML: \(yamlError)")
            }
            return ConfigurationProblem(path: keyPath(context.codingPath), message: context.debugDescription)
        case let error as YamlError:
            return ConfigurationProblem(path: "", message: "not valid YAML: \(error)")
        default:
            return ConfigurationProblem(path: "", message: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is Double.Type: "a number"
        case is Node.Sequence.Type: "a list"
        case is Node.Mapping.Type: "a mapping of keys to values"
        case is Node.Scalar.Type: "a single value"
        default: "\(type)"
        }
    }

    /// Keys the decoder silently ignored, found by re-encoding the decoded value and comparing
    /// key sets: a typo like `romos:` must not pass as "no rooms".
    static func unknownKeys(in yaml: String, decoded: TocsinConfiguration) -> [ConfigurationProblem] {
        guard let original = try? Yams.compose(yaml: yaml),
              let reencodedText = try? YAMLEncoder().encode(decoded),
              let reencoded = try? Yams.compose(yaml: reencodedText) else { return [] }
        var problems: [ConfigurationProblem] = []
        compare(original, reencoded, path: "", into: &problems)
        return problems
    }

    private static func compare(_ original: Node, _ known: Node, path: String, into problems: inout [ConfigurationProblem]) {
        switch (original, known) {
        case (.mapping(let mapping), .mapping(let knownMapping)):
            let knownKeys = Dictionary(knownMapping.map { ($0.key.string ?? "", $0.value) }, uniquingKeysWith: { a, _ in a })
            for (key, value) in mapping {
                let name = key.string ?? "\(key)"
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                if let knownValue = knownKeys[name] {
                    compare(value, knownValue, path: childPath, into: &problems)
                } else if !isNullScalar(value) {
                    problems.append(ConfigurationProblem(path: childPath, message: "unknown key (check its spelling and indentation)"))
                }
            }
        case (.sequence(let items), .sequence(let knownItems)):
            for (index, pair) in zip(items, knownItems).enumerated() {
                compare(pair.0, pair.1, path: "\(path)[\(index)]", into: &problems)
            }
        default:
            break
        }
    }

    /// `key:` with nothing after it is YAML null too, as are `~` and `null`.
    private static func isNullScalar(_ node: Node) -> Bool {
        node.null != nil
    }
}
