import Foundation

/// A secret in the configuration: `{env: NAME}`, `{file: PATH}` or, discouraged, the literal value.
///
/// Secrets are never required inline, so a config file can be committed and shared; the value is
/// read at start-up and never printed (`description` is redacted).
public enum Secret: Codable, Sendable, Hashable, CustomStringConvertible {
    case inline(String)
    case environment(String)
    case file(String)

    private enum CodingKeys: String, CodingKey { case env, file }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            self = .inline(text)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let name = try container.decodeIfPresent(String.self, forKey: .env) {
            self = .environment(name)
        } else if let path = try container.decodeIfPresent(String.self, forKey: .file) {
            self = .file(path)
        } else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "expected {env: VARIABLE}, {file: PATH} or a string"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .inline(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .environment(let name):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .env)
        case .file(let path):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(path, forKey: .file)
        }
    }

    public var description: String {
        switch self {
        case .inline: "<inline secret>"
        case .environment(let name): "$\(name)"
        case .file(let path): "file \(path)"
        }
    }

    /// The value, or why it could not be read (phrased to complete "KEY: …").
    public func resolve(environment: [String: String]) -> Result<String, SecretError> {
        switch self {
        case .inline(let value):
            return .success(value)
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                return .failure(SecretError(reason: "environment variable \(name) is not set"))
            }
            return .success(value)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                return .failure(SecretError(reason: "cannot read secret file \(path)"))
            }
            let value = text.trimmingCharacters(in: .newlines)
            guard !value.isEmpty else { return .failure(SecretError(reason: "secret file \(path) is empty")) }
            return .success(value)
        }
    }
}

public struct SecretError: Error, Sendable, Hashable {
    public var reason: String
}
