import Testing
import TocsinConfig

/// The problems loading `yaml` reports; records an issue when it loads cleanly instead.
func problems(in yaml: String, environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) -> [ConfigurationProblem] {
    do {
        _ = try ConfigurationLoader.load(yaml: yaml, environment: environment)
        Issue.record("expected the configuration to be refused", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.problems
    }
}

/// The smallest configuration that loads; tests change one thing in it.
enum MinimalConfiguration {
    static let environment = ["TOCSIN_IRC_PASSWORD": "irc-secret"]

    static func yaml(port: String = "6697", extraNetworkKeys: String = "", route: String = "{network: libera, room: \"#ops\", services: [api]}",
                     sasl: String = "{account: tocsin, password: {env: TOCSIN_IRC_PASSWORD}}", tail: String = "") -> String {
        """
        gateway:
          database: /var/lib/tocsin/tocsin.sqlite
        backend:
          kind: embedded
          embedded:
            services:
              - name: api
        identities:
          - {chat: irc:libera/alice, email: alice@example.org}
        irc:
          - name: libera
            host: irc.libera.chat
            port: \(port)
            nick: tocsin
            sasl: \(sasl)
            rooms:
              - name: "#ops"
        \(extraNetworkKeys)
        routes:
          - \(route)
        \(tail)
        """
    }
}
