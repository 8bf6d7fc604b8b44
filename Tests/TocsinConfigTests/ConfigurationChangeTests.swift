import Testing
import TocsinConfig

/// What a SIGHUP reload applies and what it leaves for a restart.
@Suite struct ConfigurationChangeTests {
    static func configuration(
        rooms: String = ##"[{name: "#ops"}]"##, flood: String = "", host: String = "irc.example.org",
        routes: String = ##"[{network: net, room: "#ops"}]"##, identities: String = "[]", xmppRooms: String = "[]",
        database: String = "/tmp/t.sqlite", xmppNick: String = "tocsin"
    ) throws -> TocsinConfiguration {
        try ConfigurationLoader.load(yaml: """
            gateway: {database: \(database)}
            backend: {kind: embedded, embedded: {services: [{name: api}]}}
            identities: \(identities)
            irc:
              - name: net
                host: \(host)
                nick: tocsin
                rooms: \(rooms)
            \(flood.isEmpty ? "" : "    flood: \(flood)")
            xmpp:
              - {name: chat, jid: bot@example.org, password: pw, nick: \(xmppNick), rooms: \(xmppRooms)}
            routes: \(routes)
            """, environment: [:])
    }

    @Test func sameFileChangesNothing() throws {
        let change = ConfigurationChange(from: try Self.configuration(), to: try Self.configuration())
        #expect(change.isEmpty)
    }

    @Test func roomsAreJoinedAndLeftByTheDifferenceIgnoringCase() throws {
        let change = ConfigurationChange(
            from: try Self.configuration(rooms: ##"[{name: "#ops"}, {name: "#old"}]"##),
            to: try Self.configuration(rooms: ##"[{name: "#OPS"}, {name: "#new", key: k3y}]"##, xmppRooms: "[{jid: ops@muc.example.org}]"))
        #expect(change.roomsToJoin["net"]?.map(\.name) == ["#new"])
        #expect(change.roomsToJoin["net"]?.first?.key != nil)
        #expect(change.roomsToLeave["net"] == ["#old"])
        #expect(change.roomsToJoin["chat"]?.map(\.name) == ["ops@muc.example.org"])
        #expect(change.restartNeeded.isEmpty)
    }

    @Test func routesIdentitiesAndFloodAreAppliedNotRestarted() throws {
        let change = ConfigurationChange(
            from: try Self.configuration(),
            to: try Self.configuration(flood: "{burst: 3, interval_ms: 2000}",
                                       routes: ##"[{network: net, room: "#ops"}, {network: chat, room: ops@muc.example.org}]"##,
                                       identities: "[{chat: irc:net/alice, email: alice@example.org}]"))
        #expect(change.routesChanged)
        #expect(change.policiesChanged)
        #expect(change.flood["net"]??.burst == 3)
        #expect(change.restartNeeded.isEmpty)
    }

    @Test func connectionSettingsAndNewNetworksNeedARestart() throws {
        let change = ConfigurationChange(
            from: try Self.configuration(),
            to: try Self.configuration(host: "irc2.example.org", database: "/tmp/other.sqlite"))
        #expect(change.restartNeeded == ["gateway.database", "irc[0] (connection settings of net)"])
        #expect(change.roomsToJoin.isEmpty && !change.routesChanged)
    }

    @Test func xmppNetworksAreComparedUnderTheirOwnKeyPath() throws {
        let change = ConfigurationChange(
            from: try Self.configuration(xmppRooms: "[{jid: ops@muc.example.org}, {jid: old@muc.example.org}]"),
            to: try Self.configuration(
                xmppRooms: "[{jid: OPS@muc.example.org, policy: {writers: [xmpp:carol@example.org]}}]", xmppNick: "bot2"))
        #expect(change.restartNeeded == ["xmpp[0] (connection settings of chat)"])
        #expect(change.roomsToLeave["chat"] == ["old@muc.example.org"])
        #expect(change.roomsToJoin.isEmpty)
        #expect(change.policiesChanged)
        #expect(change.flood.isEmpty)
    }
}
