import Foundation
import Testing
import TocsinConfig
import TocsinCore

/// The policy and routes built from `config/embedded.yml` behave as its comments say.
@Suite struct ConfigurationPolicyTests {
    let configuration: TocsinConfiguration
    let alice = ChatIdentity.irc(network: "example", account: "alice")
    let bob = ChatIdentity.xmpp("bob@example.org")
    let carol = ChatIdentity.irc(network: "example", account: "carol")

    init() throws {
        (configuration, _) = try ExampleConfigurationTests.load("embedded.yml")
    }

    func message(in room: String, on network: String = "example", identity: ChatIdentity?) -> InboundMessage {
        InboundMessage(origin: .room(room, on: network), senderName: "someone", identity: identity, text: "", botNames: ["tocsin"])
    }

    func incident(service: String, team: String?, urgency: Urgency, severity: Severity?) -> Incident {
        Incident(number: 1, id: "1", title: "t", service: service, team: team, urgency: urgency, severity: severity,
                 status: .triggered, createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
    }

    func event(_ kind: IncidentEventKind, _ incident: Incident) -> IncidentEvent {
        IncidentEvent(id: "e", kind: kind, incident: incident, occurredAt: Date(timeIntervalSince1970: 0))
    }

    @Test func configuredRoomWithoutPolicyAllowsMappedWriters() {
        let policy = configuration.authorizationPolicy
        #expect(policy.decide(.ack, for: message(in: "#ops", identity: alice)) == .allowed(actor: Actor(email: "alice@example.org")))
        #expect(policy.decide(.trigger, for: message(in: "#OPS", identity: alice)) == .allowed(actor: Actor(email: "alice@example.org")))
    }

    @Test func readOnlyRoomRefusesWrites() {
        let policy = configuration.authorizationPolicy
        #expect(policy.decide(.ack, for: message(in: "#ops-readonly", identity: alice)) == .denied("!ack is read-only here"))
        #expect(policy.decide(.incidents, for: message(in: "#ops-readonly", identity: nil)) == .allowed(actor: nil))
    }

    @Test func restrictedRoomHasItsCommandsAndWriters() {
        let policy = configuration.authorizationPolicy
        #expect(policy.decide(.resolve, for: message(in: "#incidents", identity: alice)) == .allowed(actor: Actor(email: "alice@example.org")))
        #expect(policy.decide(.trigger, for: message(in: "#incidents", identity: alice)) == .denied("!trigger is not enabled here"))
        #expect(policy.decide(.ack, for: message(in: "#incidents", identity: carol)) == .denied("irc:example/carol may not run !ack here"))
    }

    @Test func roomsJoinedByInvitationGetTheDefaultPolicy() {
        let policy = configuration.authorizationPolicy
        #expect(policy.decide(.ack, for: message(in: "#ops-new", identity: alice)) == .denied("!ack is not enabled here"))
        #expect(policy.decide(.oncall, for: message(in: "#ops-new", identity: nil)) == .allowed(actor: nil))
    }

    @Test func directMessagesLetMappedPeopleWrite() {
        let policy = configuration.authorizationPolicy
        let direct = InboundMessage(origin: ChatDestination(network: "example-xmpp", conversation: .direct("bob@example.org")),
                                    senderName: "bob", identity: bob, text: "", botNames: [])
        #expect(policy.decide(.snooze, for: direct) == .allowed(actor: Actor(email: "bob@example.org")))
    }

    @Test func xmppRoomUsesTheMappedJID() {
        let policy = configuration.authorizationPolicy
        let inRoom = message(in: "ops@conference.example.org", on: "example-xmpp", identity: .xmpp("Bob@Example.org"))
        #expect(policy.decide(.ack, for: inRoom) == .allowed(actor: Actor(email: "bob@example.org")))
    }

    @Test func routesSendEachEventWhereConfigured() {
        let router = configuration.router
        let ops = ChatDestination.room("#ops", on: "example")
        let incidents = ChatDestination.room("#incidents", on: "example")
        let xmpp = ChatDestination.room("ops@conference.example.org", on: "example-xmpp")
        #expect(router.destinations(for: event(.triggered, incident(service: "api", team: "platform", urgency: .high, severity: .error)))
            == [ops, incidents, xmpp])
        #expect(router.destinations(for: event(.annotated, incident(service: "api", team: "platform", urgency: .high, severity: .error)))
            == [ops, xmpp])
        #expect(router.destinations(for: event(.triggered, incident(service: "api", team: nil, urgency: .high, severity: .warning)))
            == [ops])
        #expect(router.destinations(for: event(.resolved, incident(service: "db", team: "storage", urgency: .low, severity: nil)))
            == [ops, xmpp])
    }

    @Test func invitePolicyFollowsTheNetworkSettings() throws {
        let irc = try #require(configuration.irc?.first)
        let invites = TocsinConfiguration.invitePolicy(irc.invites)
        #expect(invites.allows(room: "#ops-db", inviter: alice))
        #expect(!invites.allows(room: "#ops-db", inviter: carol))
        #expect(!invites.allows(room: "#random", inviter: alice))
        let xmppInvites = TocsinConfiguration.invitePolicy(configuration.xmpp?.first?.invites)
        #expect(xmppInvites.allows(room: "war-room@conference.example.org", inviter: .xmpp("bob@example.org")))
        #expect(!xmppInvites.allows(room: "war-room@conference.example.org", inviter: nil))
        #expect(!TocsinConfiguration.invitePolicy(nil).allows(room: "#ops", inviter: alice))
    }

    @Test func invitationsWithoutRoomPatternsAreRefused() throws {
        let settings = try JSONDecoder().decode(InviteSettings.self, from: Data(#"{"accept": true}"#.utf8))
        #expect(!TocsinConfiguration.invitePolicy(settings).allows(room: "#ops-db", inviter: alice))
        #expect(!TocsinConfiguration.invitePolicy(settings).allows(room: "ops@conference.example.org", inviter: .xmpp("bob@example.org")))
    }

    @Test func roomsJoinedByInvitationAreReadOnlyUnlessWritersAreConfigured() throws {
        var configuration = self.configuration
        func policy(_ json: String) throws -> PolicySettings { try JSONDecoder().decode(PolicySettings.self, from: Data(json.utf8)) }
        let invited = message(in: "war-room@conference.example.org", on: "example-xmpp", identity: .xmpp("bob@example.org"))
        // The example sets default_room_policy.commands but no writers: read-only.
        #expect(configuration.authorizationPolicy.decide(.incidents, for: invited) == .allowed(actor: Actor(email: "bob@example.org")))
        configuration.defaultRoomPolicy = try policy("{}")
        #expect(configuration.authorizationPolicy.decide(.ack, for: invited) == .denied("!ack is read-only here"))
        configuration.defaultRoomPolicy = nil
        #expect(configuration.authorizationPolicy.decide(.resolve, for: invited) == .denied("!resolve is read-only here"))
        configuration.defaultRoomPolicy = try policy(#"{"writers": "mapped"}"#)
        #expect(configuration.authorizationPolicy.decide(.ack, for: invited) == .allowed(actor: Actor(email: "bob@example.org")))
        // Configured rooms keep their own default (any mapped identity writes).
        let ops = message(in: "ops@conference.example.org", on: "example-xmpp", identity: .xmpp("bob@example.org"))
        #expect(configuration.authorizationPolicy.decide(.ack, for: ops) == .allowed(actor: Actor(email: "bob@example.org")))
    }

    @Test func pagerDutyExampleRoutesOnlyHighUrgencyToIRC() throws {
        let (pagerduty, _) = try ExampleConfigurationTests.load("pagerduty.yml")
        let low = event(.triggered, incident(service: "api", team: nil, urgency: .low, severity: nil))
        #expect(pagerduty.router.destinations(for: low) == [.room("ops@conference.example.org", on: "example-xmpp")])
        #expect(pagerduty.backend.pagerduty?.services?["api"] == "PSERVIC1")
    }
}
