import ArgumentParser
import Foundation
import TocsinConfig

/// Validates a configuration file without connecting anywhere: every problem is printed with its
/// key path, and the exit status says whether `tocsin run` would start.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file and print every problem with its key path.")

    @Argument(help: "The YAML configuration file.")
    var file: String

    @Flag(help: "Also fail when a secret ({env:} or {file:}) cannot be read on this machine.")
    var requireSecrets = false

    func run() throws {
        do {
            let environment = ProcessInfo.processInfo.environment
            let config = try ConfigurationLoader.load(path: file, environment: environment, requireSecrets: requireSecrets)
            for warning in ConfigurationLoader.unreadableSecrets(in: config, environment: environment) {
                printError("warning: \(warning) (needed by `tocsin run`)")
            }
            let networks = (config.irc?.count ?? 0) + (config.xmpp?.count ?? 0)
            print("\(file): OK — backend \(config.backend.kind.rawValue), \(networks) network(s), \(config.routes?.count ?? 0) route(s)")
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}

/// Problems go to standard error so scripts can tell them from the OK line.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
