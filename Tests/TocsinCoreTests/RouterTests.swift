import Testing
import TocsinCore

@Suite struct RouterTests {
    typealias F = Fixtures
    let ops = Fixtures.ops
    let db = ChatDestination.room("#db", on: Fixtures.network)
    let xmppRoom = ChatDestination.room("ops@conference.example.org", on: "xmpp")

    @Test func ruleWithoutFiltersTakesEveryEvent() {
        let rule = RouteRule(destination: ops)
        for kind in IncidentEventKind.allCases {
            #expect(rule.matches(F.event(kind, F.incident(1, team: nil, urgency: .low, severity: .info))))
        }
    }

    @Test func kindsFilterKeepsOnlyThoseKinds() {
        let rule = RouteRule(destination: ops, kinds: [.triggered, .resolved])
        #expect(rule.matches(F.event(.triggered)))
        #expect(rule.matches(F.event(.resolved)))
        #expect(!rule.matches(F.event(.annotated)))
        #expect(!rule.matches(F.event(.acknowledged)))
    }

    @Test func servicesFilterIgnoresCase() {
        let rule = RouteRule(destination: ops, services: ["API", "db"])
        #expect(rule.matches(F.event(.triggered, F.incident(1, service: "api"))))
        #expect(rule.matches(F.event(.triggered, F.incident(1, service: "DB"))))
        #expect(!rule.matches(F.event(.triggered, F.incident(1, service: "web"))))
    }

    @Test func teamsFilterIgnoresCaseAndSkipsIncidentsWithoutTeam() {
        let rule = RouteRule(destination: ops, teams: ["Platform"])
        #expect(rule.matches(F.event(.triggered, F.incident(1, team: "platform"))))
        #expect(!rule.matches(F.event(.triggered, F.incident(1, team: "storage"))))
        #expect(!rule.matches(F.event(.triggered, F.incident(1, team: nil))))
    }

    @Test func urgencyFilter() {
        let rule = RouteRule(destination: ops, urgencies: [.high])
        #expect(rule.matches(F.event(.triggered, F.incident(1, urgency: .high))))
        #expect(!rule.matches(F.event(.triggered, F.incident(1, urgency: .low))))
    }

    @Test(arguments: [(Severity?.some(.critical), true), (.error, true), (.warning, false), (.info, false), (nil, true)])
    func minimumSeverityKeepsThatOrWorseAndIncidentsWithoutSeverity(_ severity: Severity?, _ expected: Bool) {
        let rule = RouteRule(destination: ops, minimumSeverity: .error)
        #expect(rule.matches(F.event(.triggered, F.incident(1, severity: severity))) == expected)
    }

    @Test func severityOrderReadsMostSevereAsGreatest() {
        #expect(Severity.critical > .error)
        #expect(Severity.error > .warning)
        #expect(Severity.warning > .info)
        #expect(Severity.critical.defaultUrgency == .high)
        #expect(Severity.error.defaultUrgency == .high)
        #expect(Severity.warning.defaultUrgency == .low)
        #expect(Severity.info.defaultUrgency == .low)
    }

    @Test func everyFilterMustHold() {
        let rule = RouteRule(destination: ops, services: ["api"], teams: ["platform"], urgencies: [.high],
                             minimumSeverity: .warning, kinds: [.triggered])
        let matching = F.incident(1, service: "api", team: "platform", urgency: .high, severity: .error)
        #expect(rule.matches(F.event(.triggered, matching)))
        #expect(!rule.matches(F.event(.resolved, matching)))
        var lowUrgency = matching
        lowUrgency.urgency = .low
        #expect(!rule.matches(F.event(.triggered, lowUrgency)))
        var otherService = matching
        otherService.service = "db"
        #expect(!rule.matches(F.event(.triggered, otherService)))
        var mild = matching
        mild.severity = .info
        #expect(!rule.matches(F.event(.triggered, mild)))
    }

    @Test func destinationsFollowConfigurationOrder() {
        let router = Router(rules: [RouteRule(destination: xmppRoom), RouteRule(destination: db), RouteRule(destination: ops)])
        #expect(router.destinations(for: F.event(.triggered)) == [xmppRoom, db, ops])
    }

    @Test func aRoomMatchedByTwoRulesHearsTheEventOnce() {
        let router = Router(rules: [
            RouteRule(destination: ops, services: ["api"]), RouteRule(destination: db),
            RouteRule(destination: ops, urgencies: [.high]),
        ])
        #expect(router.destinations(for: F.event(.triggered, F.incident(1, service: "api", urgency: .high))) == [ops, db])
    }

    @Test func roomNamesDifferingOnlyInCaseAreOneRoom() {
        let shouted = ChatDestination.room("#OPS", on: F.network)
        let router = Router(rules: [RouteRule(destination: ops), RouteRule(destination: shouted)])
        #expect(router.destinations(for: F.event(.triggered)) == [ops])
        let otherNetwork = ChatDestination.room("#ops", on: "oftc")
        #expect(Router(rules: [RouteRule(destination: ops), RouteRule(destination: otherNetwork)])
            .destinations(for: F.event(.triggered)) == [ops, otherNetwork])
    }

    @Test func eventMatchingNoRuleGoesNowhere() {
        let router = Router(rules: [RouteRule(destination: ops, services: ["db"])])
        #expect(router.destinations(for: F.event(.triggered, F.incident(1, service: "api"))).isEmpty)
        #expect(Router(rules: []).destinations(for: F.event(.triggered)).isEmpty)
    }

    @Test func webhookEventTypesMapOntoKinds() {
        #expect(IncidentEventKind(eventType: "incident.annotated") == .annotated)
        #expect(IncidentEventKind(eventType: "incident.priority_updated") == .priorityUpdated)
        #expect(IncidentEventKind(eventType: "triggered") == .triggered)
        #expect(IncidentEventKind(eventType: "incident.unknown_thing") == nil)
        #expect(IncidentEventKind(eventType: "service.created") == nil)
    }
}
