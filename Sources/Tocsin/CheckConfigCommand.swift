import ArgumentParser
import Foundation
import TocsinConfig

/// Validates a configuration file without connecting anywhere: every problem is printed with its
/// key path, then one verdict line, and the exit status says whether `tocsin run` would start.
///
/// Verdicts: `OK` (exit 0); `OK with warnings` when the file is valid but a secret (`{env:}` or
/// `{file:}`) cannot be read here — normal on a build machine, fatal for `tocsin run` on this one
/// (exit 0, or 2 with `--require-secrets`); `NOT OK` with the number of problems (exit 2). The
/// problems always come first, so the last line is the verdict whatever the output is piped into.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file and print every problem with its key path.")

    @Argument(help: "The YAML configuration file.")
    var file: String

    @Flag(help: "Also fail when a secret ({env:} or {file:}) cannot be read on this machine.")
    var requireSecrets = false

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let config: TocsinConfiguration
        do {
            config = try ConfigurationLoader.load(path: file, environment: environment, requireSecrets: requireSecrets)
        } catch {
            for problem in error.problems {
                printError("problem: \(problem)")
            }
            if error.problems.isEmpty { printError(error.description) }
            let count = max(1, error.problems.count)
            printVerdict("\(file): NOT OK — \(count) problem\(count == 1 ? "" : "s")")
            throw ExitCode(2)
        }
        let warnings = ConfigurationLoader.unreadableSecrets(in: config, environment: environment)
        for warning in warnings {
            printError("warning: \(warning) (needed by `tocsin run`)")
        }
        let networks = (config.irc?.count ?? 0) + (config.xmpp?.count ?? 0)
        let summary = "backend \(config.backend.kind.rawValue), \(networks) network(s), \(config.routes?.count ?? 0) route(s)"
        if warnings.isEmpty {
            printVerdict("\(file): OK — \(summary)")
        } else {
            printVerdict("\(file): OK with warnings — \(warnings.count) secret\(warnings.count == 1 ? "" : "s") "
                + "unreadable here; \(summary)")
        }
    }
}

/// Problems go to standard error so scripts can tell them from the verdict line.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// The verdict goes to standard output unbuffered, after everything written to standard error.
private func printVerdict(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
