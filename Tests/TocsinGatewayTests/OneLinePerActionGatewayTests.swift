import Testing
import TocsinCore
import TocsinGateway

/// Issue 12, item 5 on the embedded store, where `!ack`/`!resolve` commit the change, its
/// announcements and the answer in one transaction: a command on several incidents is ONE line
/// in the room where it was typed (before: one announcement-worded-as-answer per incident).
@Suite struct OneLinePerActionGatewayTests {
    @Test func ackOfTwoIncidentsIsOneLineInTheRoomWhereItWasTyped() async throws {
        try await GatewayFixture.withDatabase { database in
            try await GatewayFixture.withGateway(database) { assembly, irc in
                try await GatewayFixture.trigger("disk full on db1", on: assembly)
                try await GatewayFixture.trigger("disk full on db2", on: assembly)
                _ = try await within(.seconds(10)) {
                    await irc.firstDelivery { $0.message.text.plainText.contains("disk full on db2") }
                }
                await GatewayFixture.alice(says: "!ack 1 2", on: irc)
                let reply = try await within(.seconds(10)) {
                    await irc.firstDelivery { $0.message.text.plainText.contains("Acknowledged #") }
                }
                #expect(reply.message.destination == GatewayFixture.ops)
                #expect(reply.message.text.plainText == "alice: Acknowledged #1, #2")
                // A read afterwards: its answer goes out after everything the !ack stored.
                await GatewayFixture.alice(says: "!incidents", on: irc)
                _ = try await within(.seconds(10)) { await irc.firstDelivery { $0.message.priority == .readReply } }
                let inOps = irc.delivered.filter { $0.message.destination == GatewayFixture.ops }.map(\.message.text.plainText)
                let aboutTheAck = inOps.filter { $0.contains("Acknowledged #") || $0.contains("[ACKNOWLEDGED]") }
                #expect(aboutTheAck.count == 1, "lines in #ops about the !ack: \(aboutTheAck)")
                #expect(inOps.count == 4, "two triggers, the !ack, the list: \(inOps)")
            }
        }
    }
}
