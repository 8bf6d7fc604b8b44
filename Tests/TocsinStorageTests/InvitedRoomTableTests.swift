import Foundation
import GRDB
import Testing
import TocsinStorage

@Suite struct InvitedRoomTableTests {
    let when = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aStoredRoomSurvivesReopeningTheDatabase() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path("tocsin.sqlite")
        do {
            let table = try InvitedRoomTable(database: try TocsinDatabase.open(path: path))
            try await table.saveInvitedRoom(InvitedRoomRecord(
                network: "libera", room: "#Team", inviter: "irc:libera/alice", inviterName: "alice", invitedAt: when))
        }
        let reopened = try InvitedRoomTable(database: try TocsinDatabase.open(path: path))
        let rooms = try await reopened.invitedRooms()
        #expect(rooms == [InvitedRoomRecord(network: "libera", room: "#Team", inviter: "irc:libera/alice",
                                            inviterName: "alice", invitedAt: when)])
    }

    @Test func theSameRoomInAnotherCaseIsOneRowAndASecondInvitationRefreshesIt() async throws {
        let table = try InvitedRoomTable(database: DatabaseQueue())
        try await table.saveInvitedRoom(InvitedRoomRecord(network: "n", room: "#team", inviter: nil, inviterName: "bob", invitedAt: when))
        try await table.saveInvitedRoom(InvitedRoomRecord(network: "n", room: "#TEAM", inviter: "irc:n/alice", inviterName: "alice",
                                                          invitedAt: when.addingTimeInterval(5)))
        let rooms = try await table.invitedRooms()
        #expect(rooms.count == 1)
        #expect(rooms.first?.inviter == "irc:n/alice")
        #expect(rooms.first?.room == "#TEAM")
    }

    @Test func removingForgetsOnlyThatNetworksRoom() async throws {
        let table = try InvitedRoomTable(database: DatabaseQueue())
        try await table.saveInvitedRoom(InvitedRoomRecord(network: "a", room: "#team", inviter: nil, inviterName: "x", invitedAt: when))
        try await table.saveInvitedRoom(InvitedRoomRecord(network: "b", room: "#team", inviter: nil, inviterName: "x", invitedAt: when))
        #expect(try await table.removeInvitedRoom(network: "a", room: "#Team"))
        #expect(try await !table.removeInvitedRoom(network: "a", room: "#team"))
        #expect(try await table.invitedRooms().map(\.network) == ["b"])
    }
}
