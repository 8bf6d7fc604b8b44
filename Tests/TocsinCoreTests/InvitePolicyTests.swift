import Testing
import TocsinCore

@Suite struct InvitePolicyTests {
    let alice = Fixtures.alice

    @Test func invitationsAreRefusedUnlessAccepted() {
        #expect(!InvitePolicy().allows(room: "#ops", inviter: alice))
        #expect(!InvitePolicy(accept: false, roomPatterns: ["*"]).allows(room: "#ops", inviter: alice))
    }

    @Test func acceptingWithoutPatternsTakesNoRoom() {
        let policy = InvitePolicy(accept: true)
        #expect(!policy.allows(room: "#anything", inviter: alice))
        #expect(!policy.allows(room: "ops@conference.example.org", inviter: alice))
        #expect(InvitePolicy(accept: true, roomPatterns: ["*"]).allows(room: "#anything", inviter: nil))
    }

    @Test(arguments: [("#ops-*", "#ops-db", true), ("#ops-*", "#OPS-DB", true), ("#ops-*", "#ops-", true),
                      ("#ops-*", "#ops", false), ("#ops-*", "#dev-ops-db", false), ("#OPS-*", "#ops-x", true),
                      ("*@conference.example.org", "ops@conference.example.org", true),
                      ("*@conference.example.org", "Ops@Conference.Example.org", true),
                      ("*@conference.example.org", "ops@conference.example.org.evil", false),
                      ("#ops-?", "#ops-1", true), ("#ops-?", "#ops-12", false), ("#ops-?", "#ops-", false),
                      ("#*-alerts", "#db-alerts", true), ("#*-alerts", "#db-alerts-old", false),
                      ("*", "", true), ("", "", true), ("", "#ops", false), ("**", "#x", true),
                      ("#a*c", "#a*bc", true), ("#a*b*c", "#a*b*x*c", true), ("#a?c", "#a*c", true)])
    func roomsMatchGlobPatterns(_ pattern: String, _ room: String, _ expected: Bool) {
        #expect(InvitePolicy(accept: true, roomPatterns: [pattern]).allows(room: room, inviter: nil) == expected)
    }

    @Test func anyOfSeveralPatternsSuffices() {
        let policy = InvitePolicy(accept: true, roomPatterns: ["#ops-*", "#incident-*"])
        #expect(policy.allows(room: "#incident-42", inviter: nil))
        #expect(policy.allows(room: "#ops-db", inviter: nil))
        #expect(!policy.allows(room: "#random", inviter: nil))
    }

    @Test func noPatternsMeansNoRoom() {
        #expect(!InvitePolicy(accept: true, roomPatterns: []).allows(room: "#ops", inviter: alice))
    }

    @Test func listedInvitersMustBeVerified() {
        let policy = InvitePolicy(accept: true, roomPatterns: ["#ops-*"], inviters: [alice])
        #expect(policy.allows(room: "#ops-db", inviter: alice))
        #expect(policy.allows(room: "#ops-db", inviter: .irc(network: Fixtures.network, account: "ALICE")))
        #expect(!policy.allows(room: "#ops-db", inviter: Fixtures.bob))
        #expect(!policy.allows(room: "#ops-db", inviter: nil))
        #expect(!policy.allows(room: "#random", inviter: alice))
    }

    @Test func emptyInviterListRefusesEveryone() {
        let policy = InvitePolicy(accept: true, roomPatterns: ["*"], inviters: [])
        #expect(!policy.allows(room: "#ops", inviter: alice))
    }
}
