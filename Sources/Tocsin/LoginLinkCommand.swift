import ArgumentParser
import Foundation
import IncidentPages
import TocsinConfig
import TocsinCore
import TocsinStorage

/// `tocsin login-link --config FILE --as IDENTITY`: prints a one-time sign-in link to the incident
/// pages for an operator, the same link `!web` sends in chat (issue 13). It works once, for
/// `gateway.pages.link_minutes` (10), and signs the browser in as IDENTITY, which then sees only
/// the incidents that identity may see. Run it as the user the gateway runs as: it writes to the
/// gateway's database (only a digest of the link's secret is stored).
struct LoginLinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login-link",
        abstract: "Print a one-time sign-in link to the incident pages for a chat identity.")

    @Option(help: "The YAML configuration file.")
    var config: String

    @Option(name: .customLong("as"), help: "The chat identity to sign in as: irc:NETWORK/ACCOUNT or xmpp:user@domain.")
    var identity: String

    @Option(help: "The page to open after signing in: /incidents, /incidents/N or /incidents/N/postmortem.md.")
    var next: String?

    func run() async throws {
        let configuration: TocsinConfiguration
        do {
            configuration = try ConfigurationLoader.load(path: config, requireSecrets: false)
        } catch {
            for problem in error.problems { printToStandardError("problem: \(problem)") }
            if error.problems.isEmpty { printToStandardError(error.description) }
            throw ExitCode(2)
        }
        guard let chatIdentity = ChatIdentity(configString: identity) else {
            printToStandardError("--as: expected irc:NETWORK/ACCOUNT or xmpp:user@domain, got \"\(identity)\"")
            throw ExitCode(2)
        }
        guard let publicURL = configuration.gateway.publicURL else {
            printToStandardError("gateway.public_url is not set, so the incident pages are off: set it in \(config)")
            throw ExitCode(2)
        }
        if configuration.authorizationPolicy.identities[chatIdentity] == nil {
            printToStandardError("note: \(chatIdentity) is not under identities:, so it sees only incidents announced where any reader may see them")
        }
        let database = try TocsinDatabase.open(path: configuration.gateway.database)
        let links = SignInLinks(
            settings: PagesSettings(publicURL: publicURL, linkLifetime: configuration.signInLinkLifetime,
                                    sessionLifetime: configuration.webSessionLifetime),
            links: try LoginLinkTable(database: database), sessions: try WebSessionTable(database: database))
        var link = try await links.signInLink(for: chatIdentity)
        if let next {
            guard IncidentPageRoutesPaths.isPage(next) else {
                printToStandardError("--next: expected /incidents, /incidents/N or /incidents/N/postmortem.md, got \"\(next)\"")
                throw ExitCode(2)
            }
            link += "?next=\(next)"
        }
        print(link)
    }

    private func printToStandardError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
