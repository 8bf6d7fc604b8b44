import Foundation
import IRC
import Testing
import TocsinCore
@testable import IRCClient

/// A configuration reload on a live connection: rooms joined, flood settings changed, no reconnect.
@Suite("Client state machine: configuration reload")
struct IRCReloadTests {
    @Test func aRoomAddedByAReloadIsJoinedNowWithItsKeyAndIsConfiguredFromThenOn() {
        var s = Session(config())
        let out = s.machine.joinConfigured(.init(name: "#new", key: "k3y"), now: s.clock.now)
        #expect(out.written == ["JOIN #new k3y"])
        _ = s.receive(":tocsin!~tocsin@bot.example.org JOIN #new")
        #expect(s.machine.rooms.isJoined("#new"))
        #expect(s.machine.rooms.room("#new")?.origin == .configured)
        // Asking again for a room already joined sends nothing.
        #expect(s.machine.joinConfigured(.init(name: "#NEW"), now: s.clock.now).written.isEmpty)
    }

    @Test func aRoomAddedBeforeRegistrationIsJoinedWithTheOthers() {
        let now = ContinuousClock.now
        var m = IRCClientStateMachine(configuration: config(rooms: [.init(name: "#ops")]), now: now)
        _ = m.connectionEstablished(now: now)
        _ = m.receive(line(":srv 421 * CAP :Unknown command"), now: now)
        #expect(m.joinConfigured(.init(name: "#new"), now: now).written.isEmpty)
        _ = m.receive(line(":srv 001 tocsin :Welcome"), now: now)
        #expect(m.receive(line(":srv 376 tocsin :End of MOTD"), now: now).written == ["JOIN #ops,#new"])
    }

    @Test func tighterFloodSettingsHoldTheNextLinesAndKeepSpentTokensSpent() {
        var s = Session(config(flood: .init(burst: 3, interval: .seconds(2))))
        _ = s.tick(after: .seconds(20))  // the registration's lines are paid for: the bucket is full (3)
        _ = s.machine.setFlood(.init(burst: 1, interval: .seconds(10)), now: s.clock.now)
        let first = s.deliver(OutboxMessage(destination: .room("#ops", on: "libera"), text: RichText(plain: "one"), priority: .normal), id: 1)
        let second = s.deliver(OutboxMessage(destination: .room("#ops", on: "libera"), text: RichText(plain: "two"), priority: .normal), id: 2)
        #expect(first.written.count == 1)
        #expect(second.written.isEmpty)
        #expect(s.tick(after: .seconds(5)).written.isEmpty)
        #expect(s.tick(after: .seconds(6)).written.count == 1)
    }
}
