import GRDB
import IncidentPages
import Logging
import PagerDuty
import TocsinConfig
import TocsinCore

extension GatewayAssembly {
    /// The incident pages (issue 13), when `gateway.public_url` is set: on the embedded store they
    /// read its tables; on PagerDuty they read the incident through the API with its log entries.
    static func incidentPages(
        _ configuration: TocsinConfiguration, database: any DatabaseWriter, service: any IncidentService,
        router: TocsinCore.Router, policy: PolicySource, recording: RecordingRulesSource, logger: Logger
    ) throws -> IncidentPages? {
        guard let publicURL = configuration.gateway.publicURL else { return nil }
        let catalog: any IncidentCatalog
        if let pagerDuty = service as? PagerDutyService {
            catalog = ServiceIncidentCatalog(service: pagerDuty, history: { incident in
                try await pagerDuty.logEntries(of: incident.number).map {
                    IncidentHistoryEvent(at: $0.at, actor: $0.agent, kind: $0.type, summary: $0.summary, channel: $0.channel)
                }
            }, current: { number in try await pagerDuty.incident(number) })
        } else {
            catalog = EmbeddedIncidentCatalog(database: database, publicURL: PagesSettings(publicURL: publicURL).publicURL)
        }
        return try IncidentPages(
            settings: PagesSettings(publicURL: publicURL, linkLifetime: configuration.signInLinkLifetime,
                                    sessionLifetime: configuration.webSessionLifetime),
            database: database, catalog: catalog,
            visibility: IncidentVisibility(policySource: policy, router: router,
                                           xmppNetworks: Set((configuration.xmpp ?? []).map(\.name))),
            recording: recording, parser: CommandParser(prefix: configuration.commandPrefix),
            logger: logger)
    }
}
