import Foundation
import Testing
import TocsinCore

@Suite struct ChatIdentityTests {
    @Test func ircAccountParsesAndFoldsTheAccountCase() {
        let identity = ChatIdentity(configString: "irc:libera/Alice")
        #expect(identity == .ircAccount(network: "libera", account: "alice"))
        #expect(identity == .irc(network: "libera", account: "ALICE"))
        #expect(identity?.description == "irc:libera/alice")
    }

    @Test func xmppJIDParsesAndFoldsCase() {
        let identity = ChatIdentity(configString: "xmpp:Bob@Example.ORG")
        #expect(identity == .xmpp(bareJID: "bob@example.org"))
        #expect(identity == .xmpp("BOB@example.org"))
        #expect(identity?.description == "xmpp:bob@example.org")
    }

    @Test(arguments: ["", "alice", "irc:", "irc:libera", "irc:/alice", "irc:libera/", "irc:libera/al ice",
                      "xmpp:", "xmpp:bob", "xmpp:@example.org", "xmpp:bob@", "xmpp:bob@example.org/phone",
                      "xmpp:a@b@c", "xmpp:bob @example.org", "nick:alice", "alice@example.org"])
    func malformedIdentitiesAreRejected(_ text: String) {
        #expect(ChatIdentity(configString: text) == nil)
    }

    @Test func descriptionParsesBackToTheSameIdentity() {
        for identity in [ChatIdentity.irc(network: "libera", account: "Alice"), .xmpp("bob@example.org")] {
            #expect(ChatIdentity(configString: identity.description) == identity)
        }
    }

    @Test func codableUsesTheConfigurationForm() throws {
        let identities = [ChatIdentity.irc(network: "libera", account: "alice"), .xmpp("bob@example.org")]
        let json = try JSONEncoder().encode(identities)
        #expect(String(decoding: json, as: UTF8.self) == #"["irc:libera\/alice","xmpp:bob@example.org"]"#)
        #expect(try JSONDecoder().decode([ChatIdentity].self, from: json) == identities)
    }

    @Test func decodingAMalformedIdentityFails() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([ChatIdentity].self, from: Data(#"["alice"]"#.utf8))
        }
    }

    @Test func destinationsFoldRoomNamesButNotPeers() {
        #expect(ChatDestination.room("#Ops", on: "libera").folded == .room("#ops", on: "libera"))
        let peer = ChatDestination(network: "libera", conversation: .direct("Alice"))
        #expect(peer.folded == peer)
        #expect(ChatDestination.room("#ops", on: "libera").description == "libera/#ops")
        #expect(peer.description == "libera/direct:Alice")
    }

    @Test func inboundMessageKnowsWhetherItIsDirect() {
        #expect(Fixtures.direct("hi").isDirect)
        #expect(!Fixtures.message("hi").isDirect)
    }
}
