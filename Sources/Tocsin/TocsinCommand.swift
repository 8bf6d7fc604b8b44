import ArgumentParser
import TocsinGateway

/// `tocsin` — a self-hosted ChatOps gateway between IRC/XMPP rooms and an incident platform.
@main
struct TocsinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tocsin",
        abstract: "ChatOps gateway: incident announcements and commands in IRC and XMPP rooms.",
        version: TocsinVersion.current,
        subcommands: [RunCommand.self, CheckConfigCommand.self, LoginLinkCommand.self],
        defaultSubcommand: nil)
}
