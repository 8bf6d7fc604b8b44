import Testing
import TocsinCore
import TocsinGateway

/// Issue 12, item 2, through the whole assembly over a real SQLite file (``GatewayFixture``):
/// `!subscribe` in a room without a route makes the next incident announced there, the
/// subscription survives a restart (a second assembly on the same file), and `!unsubscribe` ends it.
@Suite struct ChatSubscriptionGatewayTests {
    static let team = GatewayFixture.team

    @Test func subscribeFromChatAnnouncesThereSurvivesARestartAndUnsubscribeEndsIt() async throws {
        try await GatewayFixture.withDatabase { database in
            try await GatewayFixture.withGateway(database) { assembly, irc in
                await GatewayFixture.alice(says: "!subscribe api", in: Self.team, on: irc)
                let answer = try await within(.seconds(10)) { await irc.firstDelivery { $0.message.destination == Self.team } }
                #expect(answer.message.text.plainText == "alice: Subscribed: #team now gets api — !unsubscribe api to stop")
                try await GatewayFixture.trigger("first after subscribe", on: assembly)
                let announced = try await within(.seconds(10)) {
                    await irc.firstDelivery { $0.message.destination == Self.team && $0.message.text.plainText.contains("first after subscribe") }
                }
                #expect(announced.message.text.plainText.hasPrefix("[TRIGGERED] #1 first after subscribe"))
            }
            // A restart: a new process on the same database.
            try await GatewayFixture.withGateway(database) { assembly, irc in
                #expect(assembly.gateway.router.rules(for: Self.team).map(\.filterDescription) == ["api"])
                try await GatewayFixture.trigger("second after restart", on: assembly)
                _ = try await within(.seconds(10)) {
                    await irc.firstDelivery { $0.message.destination == Self.team && $0.message.text.plainText.contains("second after restart") }
                }
                await GatewayFixture.alice(says: "!unsubscribe api", in: Self.team, on: irc)
                let gone = try await within(.seconds(10)) {
                    await irc.firstDelivery { $0.message.text.plainText.hasPrefix("alice: Unsubscribed:") }
                }
                #expect(gone.message.destination == Self.team)
                try await GatewayFixture.trigger("third after unsubscribe", on: assembly)
                _ = try await within(.seconds(10)) {
                    await irc.firstDelivery { $0.message.text.plainText.contains("third after unsubscribe") }
                }
                try await Task.sleep(for: .milliseconds(300))
                #expect(!irc.delivered.contains { $0.message.destination == Self.team && $0.message.text.plainText.contains("third") })
            }
            try await GatewayFixture.withGateway(database) { assembly, _ in
                #expect(assembly.gateway.router.rules(for: Self.team).isEmpty)
            }
        }
    }
}
