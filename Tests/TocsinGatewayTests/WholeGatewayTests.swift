import Hummingbird
import HummingbirdTesting
import Testing
import TocsinCore
import TocsinGateway

/// The whole gateway built by the same ``GatewayAssembly`` the executable runs (``GatewayFixture``):
/// an alert over HTTP is announced, a mapped identity's command is answered, operators see it.
@Suite struct WholeGatewayTests {
    @Test func alertEnqueuedOverHTTPIsAnnouncedAndAckFromMappedIdentityIsAnswered() async throws {
        try await GatewayFixture.withDatabase { database in
            try await GatewayFixture.withGateway(database) { assembly, irc in
                #expect(assembly.transports.map(\.network) == ["example"])

                // Intake: an Events API v2 trigger, exactly as a monitoring system posts it.
                try await GatewayFixture.trigger("disk full on db1", severity: "critical", on: assembly)

                // Route → announce: the room the route names hears it, through the fake transport.
                let announcement = try await within(.seconds(10)) {
                    await irc.firstDelivery { $0.message.text.plainText.contains("disk full on db1") }
                }
                #expect(announcement.message.destination == GatewayFixture.ops)
                #expect(announcement.message.priority == .critical)

                // Command → reply: a mapped identity acknowledges incident 1 from the room.
                await GatewayFixture.alice(says: "!ack 1", on: irc)
                // #ops is routed for the acknowledgement too: its announcement there is the answer
                // (issue 12: one line per action in the room where it was typed).
                let reply = try await within(.seconds(10)) {
                    await irc.firstDelivery { $0.message.text.plainText.contains("Acknowledged #1") }
                }
                #expect(reply.message.destination == GatewayFixture.ops)
                #expect(reply.message.text.plainText.hasPrefix("alice: Acknowledged #1 disk full on db1"))
                #expect(reply.message.priority == .critical)

                // A read command goes through the incident API (timed for /metrics).
                await GatewayFixture.alice(says: "!incidents", on: irc)
                let listing = try await within(.seconds(10)) {
                    await irc.firstDelivery { $0.message.priority == .readReply }
                }
                #expect(listing.message.text.plainText.contains("#1"))
                // Three lines in #ops for trigger, !ack and !incidents: the acknowledgement was said once.
                #expect(irc.delivered.filter { $0.message.destination == GatewayFixture.ops }.count == 3)

                // Operators see it: readiness per component and the commands in /metrics.
                try await Application(router: assembly.intakeRouter).test(.router) { client in
                    let ready = try await client.execute(uri: "/readyz", method: .get)
                    #expect(ready.status == .ok)
                    let readyText = String(buffer: ready.body)
                    #expect(readyText.contains(#""status":"ok""#))
                    for component in ["fake:example", "outbox", "embedded"] {
                        #expect(readyText.contains(#""component":"\#(component)""#))
                    }
                    let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
                    #expect(metrics.contains(#"tocsin_commands_total{command="ack",outcome="ok"} 1"#))
                    #expect(metrics.contains(#"tocsin_commands_total{command="incidents",outcome="ok"} 1"#))
                    #expect(metrics.contains(#"tocsin_incident_api_call_duration_seconds_count{operation="open_incidents",outcome="ok"} 1"#))
                    #expect(metrics.contains(#"tocsin_build_info{version="\#(TocsinVersion.current)"} 1"#))
                    #expect(metrics.contains(#"tocsin_open_incidents{backend="embedded"} 1"#))
                }
            }
        }
    }
}
