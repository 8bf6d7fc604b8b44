import AsyncHTTPClient
import Foundation
import Logging
import Testing
import TocsinCore
@testable import PagerDuty
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every command through the real AsyncHTTPClient transport against the strict PagerDuty simulator
/// (`integration-tests/pagerduty-simulator/simulator.py`), which refuses wrong headers and bodies
/// the way PagerDuty does. Skipped where `/usr/bin/python3` is missing.
@Suite(.serialized, .enabled(if: SimulatorProcess.isAvailable, "needs /usr/bin/python3"))
struct SimulatorEndToEndTests {
    @Test func everyCommandAgainstTheSimulator() async throws {
        let simulator = try SimulatorProcess.start()
        defer { simulator.stop() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let result = await Result { () async throws -> Void in
            let service = PagerDutyService(configuration: simulator.configuration(), httpClient: client, logger: Logger(label: "e2e"))
            let alice = Actor(email: "alice@example.org")

            let incident = try await service.trigger(service: "api", title: "Checkout latency", by: alice)
            #expect(incident.number == 1 && incident.service == "api" && incident.assignee == "Alice")
            #expect(incident.url?.hasSuffix("/incidents/\(incident.id)") == true)

            let acknowledged = try await service.acknowledge([1, 2], by: alice)
            guard case .changed(let changed) = acknowledged.first else { throw TestFailure("ack: \(acknowledged)") }
            #expect(changed.status == .acknowledged)
            #expect(acknowledged.last == .failed(number: 2, .notFound(number: 2)))
            guard case .unchanged = try await service.acknowledge([1], by: alice).first else { throw TestFailure("re-ack") }

            _ = try await service.addNote(to: 1, content: "rolled back the canary", by: alice)
            let snoozed = try await service.snooze(1, for: 1800, by: alice)
            #expect(snoozed.snoozedUntil != nil)

            let details = try await service.details(of: 1)
            #expect(details.notes.map(\.content) == ["rolled back the canary"])
            #expect(details.notes.first?.author == "Alice")
            #expect(details.timeline.contains { $0.summary == "Triggered through the API" })

            let page = try await service.openIncidents(limit: 10)
            #expect(page.incidents.map(\.number) == [1] && !page.more)

            let reassigned = try await service.reassign(1, to: "bob@example.org", by: alice)
            #expect(reassigned.assignee == "Bob")
            let escalated = try await service.escalate(1, toLevel: nil, by: alice)
            #expect(escalated.escalationLevel == 3, "Bob is level 2 of the default policy")
            #expect(escalated.assignee == "Carol")

            let oncall = try await service.onCall(name: nil)
            #expect(oncall.map(\.user).sorted() == ["Alice", "Alice", "Bob", "Carol"])
            #expect(try await service.onCall(name: "primary").map(\.email) == ["alice@example.org"])

            guard case .changed = try await service.resolve([1], by: alice).first else { throw TestFailure("resolve") }
            let late = try await service.acknowledge([1], by: alice)
            #expect(late == [.failed(number: 1, .invalidTransition(number: 1, from: .resolved, to: "acknowledge"))])

            // An actor PagerDuty does not know is refused with PagerDuty's words.
            await #expect(throws: IncidentServiceError.rejected(status: 400, message: "Requester User Not Found")) {
                try await service.trigger(service: "api", title: "x", by: Actor(email: "mallory@example.org"))
            }

            // Every write went to an id, with From.
            let writes = try await simulator.requests(client).filter { $0.method != "GET" }
            #expect(!writes.isEmpty)
            #expect(writes.allSatisfy { $0.path == "/incidents" || $0.path.hasPrefix("/incidents/Q") })
            #expect(writes.dropLast().allSatisfy { $0.from == "alice@example.org" })
        }
        try await client.shutdown()
        try result.get()
    }

    @Test func retriesThroughInjectedFailuresAndOpensTheCircuitWhenDown() async throws {
        let simulator = try SimulatorProcess.start()
        defer { simulator.stop() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let result = await Result { () async throws -> Void in
            var configuration = simulator.configuration()
            configuration.requestTimeout = .seconds(2)
            let service = PagerDutyService(configuration: configuration, httpClient: client, logger: Logger(label: "e2e"))

            try await simulator.control(client, "/_sim/fail", #"{"status": 503, "count": 2}"#)
            _ = try await service.openIncidents(limit: 5)
            try await simulator.control(client, "/_sim/fail", #"{"status": 429, "count": 1, "retry_after": 1}"#)
            _ = try await service.openIncidents(limit: 5)
            #expect(try await simulator.requests(client).count == 5, "2 × 503, 429, and the two that succeeded")
            #expect(await service.health().first?.status == .ok)

            try await simulator.control(client, "/_sim/down", #"{"mode": "reset"}"#)
            for _ in 0..<3 {
                await #expect(throws: IncidentServiceError.self) { try await service.openIncidents(limit: 5) }
            }
            let health = try #require(await service.health().first)
            #expect(health.status == .down)
            #expect(health.detail?.contains("circuit open after 5 failures") == true)
        }
        try await client.shutdown()
        try result.get()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// The simulator as a child process on a free port.
final class SimulatorProcess {
    static let python = "/usr/bin/python3"
    static let script = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("../../integration-tests/pagerduty-simulator/simulator.py").standardized.path
    static let token = "e2e-token-Zq8"

    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: python) && FileManager.default.fileExists(atPath: script)
    }

    let process: Process
    let baseURL: String

    private init(process: Process, baseURL: String) {
        self.process = process
        self.baseURL = baseURL
    }

    static func start() throws -> SimulatorProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--port", "0", "--token", token,
                             "--users", "alice@example.org,bob@example.org,carol@example.org",
                             "--services", "api:PSERVIC1,db:PSERVIC2"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // First line: "pagerduty-simulator listening on http://127.0.0.1:PORT".
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "http://127.0.0.1:") else {
            process.terminate()
            throw TestFailure("simulator did not start: \(text)")
        }
        let port = text[range.upperBound...].prefix { $0.isNumber }
        return SimulatorProcess(process: process, baseURL: "http://127.0.0.1:\(port)")
    }

    /// SIGTERM, then SIGKILL if it has not exited within 5 s.
    func stop() {
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    func configuration() -> PagerDutyConfiguration {
        PagerDutyConfiguration(
            apiToken: Self.token, baseURL: baseURL, services: ["api": "PSERVIC1", "db": "PSERVIC2"],
            schedules: ["primary": "PSCHED1"], escalationPolicies: ["default": "PESCAL1"], requestTimeout: .seconds(5))
    }

    func control(_ client: HTTPClient, _ path: String, _ body: String) async throws {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(Array(body.utf8))
        let response = try await client.execute(request, timeout: .seconds(5))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code == 200 else { throw TestFailure("\(path): \(response.status.code)") }
    }

    struct Recorded: Decodable {
        var method: String
        var path: String
        var headers: [String: String]
        var from: String? { headers.first { $0.key.lowercased() == "from" }?.value }
    }

    func requests(_ client: HTTPClient) async throws -> [Recorded] {
        let response = try await client.execute(HTTPClientRequest(url: baseURL + "/_sim/requests"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 16 << 20)
        struct Listing: Decodable { var requests: [Recorded] }
        return try JSONDecoder().decode(Listing.self, from: Data(body.readableBytesView)).requests
    }
}
