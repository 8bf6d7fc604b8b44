import Foundation
import Logging
import Synchronization
import Testing
import TocsinConfig
import TocsinCore
@testable import TocsinGateway

/// SIGHUP: what changed in the file is applied in place; a bad file changes nothing.
@Suite struct GatewayReloaderTests {
    final class RecordingConnection: ReloadableConnection {
        let network: String
        let calls = Mutex<[String]>([])
        init(network: String) { self.network = network }
        func leave(room: String, reason: String) async { calls.withLock { $0.append("leave \(room)") } }
        func join(room: String, key: String?) async { calls.withLock { $0.append("join \(room) key=\(key ?? "-")") } }
        func applyFlood(burst: Int?, interval: Duration?) async { calls.withLock { $0.append("flood \(burst ?? 0)") } }
    }

    static func yaml(rooms: String, routes: String, identities: String = "[]", host: String = "irc.example.org") -> String {
        """
        gateway: {database: /tmp/reload-test.sqlite}
        backend: {kind: embedded, embedded: {services: [{name: api}]}}
        identities: \(identities)
        irc: [{name: net, host: \(host), nick: tocsin, rooms: \(rooms)}]
        routes: \(routes)
        """
    }

    struct Fixture {
        let file: URL
        let reloader: GatewayReloader
        let routes: RouteTable
        let policy: PolicySource
        let recording: RecordingRulesSource
        let connection: RecordingConnection

        init(_ yaml: String) throws {
            file = FileManager.default.temporaryDirectory.appendingPathComponent("reload-\(UUID().uuidString).yml")
            try yaml.write(to: file, atomically: true, encoding: .utf8)
            let configuration = try ConfigurationLoader.load(path: file.path, environment: ["KEY": "s3cret"])
            routes = configuration.router.table
            policy = PolicySource(configuration.authorizationPolicy)
            recording = RecordingRulesSource(configuration.recordingRules)
            connection = RecordingConnection(network: "net")
            reloader = GatewayReloader(path: file.path, running: configuration,
                                       targets: ReloadTargets(routes: routes, policy: policy, connections: ["net": connection],
                                                              recording: recording),
                                       environment: ["KEY": "s3cret"], logger: Logger(label: "test"))
        }

        func write(_ yaml: String) throws { try yaml.write(to: file, atomically: true, encoding: .utf8) }
    }

    @Test func addedRouteRoomAndIdentityApplyInPlace() async throws {
        let f = try Fixture(Self.yaml(rooms: ##"[{name: "#ops"}]"##, routes: ##"[{network: net, room: "#ops"}]"##))
        try f.write(Self.yaml(rooms: ##"[{name: "#ops"}, {name: "#new", key: {env: KEY}}]"##,
                              routes: ##"[{network: net, room: "#ops"}, {network: net, room: "#new"}]"##,
                              identities: "[{chat: irc:net/alice, email: alice@example.org}]"))
        let outcome = await f.reloader.reload()
        #expect(outcome.refused == nil)
        #expect(f.connection.calls.withLock { $0 } == ["join #new key=s3cret"])
        #expect(f.routes.configured.map(\.destination) == [.room("#ops", on: "net"), .room("#new", on: "net")])
        #expect(f.policy.current.identities[ChatIdentity(configString: "irc:net/alice")!] == "alice@example.org")
        #expect(outcome.restartNeeded.isEmpty)
    }

    @Test func aRoomsRecordModeChangesInPlaceWithoutRejoining() async throws {
        let f = try Fixture(Self.yaml(rooms: ##"[{name: "#ops"}, {name: "#war"}]"##, routes: "[]"))
        #expect(f.recording.current.mode(for: .room("#war", on: "net")) == .mentions)
        try f.write(Self.yaml(rooms: ##"[{name: "#ops", record: off}, {name: "#war", record: all}]"##, routes: "[]"))
        let outcome = await f.reloader.reload()
        #expect(outcome.applied.contains("recording rules"))
        #expect(f.recording.current.mode(for: .room("#ops", on: "net")) == .off)
        #expect(f.recording.current.mode(for: .room("#war", on: "net")) == .all)
        #expect(f.connection.calls.withLock { $0 }.isEmpty)
        #expect(outcome.restartNeeded.isEmpty)
    }

    @Test func removedRoomIsLeftAndAReloadOfTheSameFileDoesNothing() async throws {
        let f = try Fixture(Self.yaml(rooms: ##"[{name: "#ops"}, {name: "#old"}]"##, routes: "[]"))
        try f.write(Self.yaml(rooms: ##"[{name: "#ops"}]"##, routes: "[]"))
        await f.reloader.reload()
        let second = await f.reloader.reload()
        #expect(f.connection.calls.withLock { $0 } == ["leave #old"])
        #expect(second.applied.isEmpty && second.restartNeeded.isEmpty)
    }

    @Test func aBadFileIsRefusedWithItsKeyPathAndNothingChanges() async throws {
        let f = try Fixture(Self.yaml(rooms: ##"[{name: "#ops"}]"##, routes: ##"[{network: net, room: "#ops"}]"##))
        try f.write(Self.yaml(rooms: ##"[{name: "#ops"}, {name: "#new"}]"##, routes: ##"[{network: nowhere, room: "#ops"}]"##))
        let outcome = await f.reloader.reload()
        #expect(outcome.refused?.problems.contains { $0.path.hasPrefix("routes[0]") } == true)
        #expect(f.connection.calls.withLock { $0 }.isEmpty)
        #expect(f.routes.configured.map(\.destination) == [.room("#ops", on: "net")])
    }

    @Test func aConnectionChangeStaysPendingUntilRestart() async throws {
        let f = try Fixture(Self.yaml(rooms: ##"[{name: "#ops"}]"##, routes: "[]"))
        try f.write(Self.yaml(rooms: ##"[{name: "#ops"}]"##, routes: "[]", host: "irc2.example.org"))
        let first = await f.reloader.reload()
        let second = await f.reloader.reload()
        #expect(first.restartNeeded == ["irc[0] (connection settings of net)"])
        #expect(second.restartNeeded == first.restartNeeded)
        #expect(f.connection.calls.withLock { $0 }.isEmpty)
    }
}
