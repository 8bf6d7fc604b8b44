/// One thing wrong with a configuration file, located by its key path (`irc[0].port`).
public struct ConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// A secret that cannot be read *here* (unset variable, missing file): fatal for `tocsin run`,
    /// only a warning for `check-config` on a machine other than the one it will run on.
    public var isUnreadableSecret: Bool

    public init(path: String, message: String, isUnreadableSecret: Bool = false) {
        self.path = path
        self.message = message
        self.isUnreadableSecret = isUnreadableSecret
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Loading failed; `problems` lists every issue found, each with its key path.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var problems: [ConfigurationProblem]

    public init(file: String, problems: [ConfigurationProblem]) {
        self.file = file
        self.problems = problems
    }

    public var description: String {
        (["\(file): \(problems.count) problem\(problems.count == 1 ? "" : "s")"] + problems.map { "  - \($0)" })
            .joined(separator: "\n")
    }
}

/// `irc[0].sasl.password` from a Codable coding path.
func keyPath(_ codingPath: [any CodingKey]) -> String {
    var text = ""
    for key in codingPath {
        if let index = key.intValue {
            text += "[\(index)]"
        } else {
            text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
        }
    }
    return text
}
