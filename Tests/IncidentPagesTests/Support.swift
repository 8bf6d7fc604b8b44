import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
@testable import IncidentPages
import Logging
import TocsinCore
import TocsinStorage

enum PageFixtures {
    static let epoch = Date(timeIntervalSince1970: 1_767_225_600)
    static let network = "libera"
    static let ops = ChatDestination.room("#ops", on: network)
    static let alice = ChatIdentity.irc(network: network, account: "alice")
    static let mallory = ChatIdentity.irc(network: network, account: "mallory")

    static func incident(_ number: Int, title: String = "API latency", service: String = "api", team: String? = "platform",
                         status: IncidentStatus = .triggered) -> Incident {
        Incident(number: number, id: "\(number)", title: title, service: service, team: team, urgency: .high, severity: .critical,
                 status: status, createdAt: epoch, updatedAt: epoch)
    }

    static func line(_ text: String, at seconds: TimeInterval, incident: Int = 1, nick: String = "alice",
                     identity: String? = "irc:libera/alice", isBot: Bool = false) -> RecordedChatLine {
        RecordedChatLine(incident: incident, at: epoch.addingTimeInterval(seconds), network: network, room: "#ops", nick: nick,
                         identity: identity, text: text, isBot: isBot)
    }
}

/// A catalog answering from a fixed set of records.
struct StaticCatalog: IncidentCatalog {
    var records: [Int: IncidentRecord]

    func incidents(matching query: IncidentQuery, limit: Int) async throws -> [Incident] {
        var found: [Incident] = []
        for incident in records.values.map(\.incident) {
            if let statuses = query.statuses, !statuses.contains(incident.status) { continue }
            if let service = query.service, incident.service != service { continue }
            if let team = query.team, incident.team != team { continue }
            found.append(incident)
        }
        found.sort { $0.number > $1.number }
        return Array(found.prefix(limit))
    }

    func record(of number: Int) async throws -> IncidentRecord? { records[number] }
}

/// Pages over an in-memory database: #1 (api, routed to #ops) and #2 (payroll, routed to a room only
/// `irc:libera/boss` may read).
struct PagesHarness {
    let database: DatabaseQueue
    let pages: IncidentPages
    var clock: TestClock

    final class TestClock: @unchecked Sendable {
        var now: Date = PageFixtures.epoch
    }

    init(records: [Int: IncidentRecord]? = nil, publicURL: String = "https://tocsin.example.org", logger: Logger? = nil) throws {
        let database = try DatabaseQueue()
        self.database = database
        let f = PageFixtures.self
        let policy = AuthorizationPolicy(
            rooms: [f.ops: RoomPolicy(), .room("#payroll", on: f.network): RoomPolicy(writers: .only([.irc(network: f.network, account: "boss")]))],
            identities: [f.alice: "alice@example.org"])
        let router = TocsinCore.Router(rules: [
            RouteRule(destination: f.ops, services: ["api"]),
            RouteRule(destination: .room("#payroll", on: f.network), services: ["payroll"]),
        ])
        let catalog = StaticCatalog(records: records ?? [
            1: IncidentRecord(incident: f.incident(1), notes: [], events: [
                IncidentHistoryEvent(at: f.epoch, actor: nil, kind: "triggered", summary: "Triggered by an alert"),
            ]),
            2: IncidentRecord(incident: f.incident(2, title: "Payroll run failed", service: "payroll"), notes: [], events: []),
        ])
        pages = try IncidentPages(
            settings: PagesSettings(publicURL: publicURL), database: database, catalog: catalog,
            visibility: IncidentVisibility(policy: policy, router: router, xmppNetworks: []),
            recording: RecordingRulesSource(RecordingRules()), parser: CommandParser(),
            logger: logger ?? Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        clock = TestClock()
    }

    func run(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Hummingbird.Router(context: BasicRequestContext.self)
        pages.addRoutes(to: router)
        try await Application(router: router).test(.router, test)
    }

    /// A one-time link's path (`/login/…`) for `identity`.
    func loginPath(_ identity: ChatIdentity = PageFixtures.alice) async throws -> String {
        let link = try await pages.signIn.signInLink(for: identity)
        return String(link.dropFirst(pages.settings.publicURL.count))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

extension TestClientProtocol {
    /// Signs in as a person does: GET the link (the button's page), then POST its form. Returns
    /// the `Cookie` header value of the new session.
    func signIn(_ path: String) async throws -> String? {
        let page = try await execute(uri: path, method: .get)
        guard page.status == .ok, let form = SignInFormFields(page.text) else { return nil }
        let response = try await postSignIn(token: form.token, next: form.next)
        guard let cookie = response.headers[.setCookie] else { return nil }
        return cookie.split(separator: ";").first.map(String.init)
    }

    /// `POST /login` with the form body the button sends, and the given `Origin` (none when nil).
    func postSignIn(token: String, next: String? = nil, origin: String? = "https://tocsin.example.org",
                    extraHeaders: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extraHeaders
        headers[.contentType] = "application/x-www-form-urlencoded"
        if let origin { headers[.origin] = origin }
        var body = "token=" + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        if let next { body += "&next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }
        return try await execute(uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    func get(_ path: String, cookie: String?) async throws -> TestResponse {
        var headers = HTTPFields()
        if let cookie { headers[.cookie] = cookie }
        return try await execute(uri: path, method: .get, headers: headers)
    }
}

/// The hidden fields of the sign-in page's form, read from its HTML as a browser would.
struct SignInFormFields {
    var token: String
    var next: String

    init?(_ html: String) {
        func value(_ name: String) -> String? {
            guard let start = html.range(of: "name=\"\(name)\" value=\""),
                  let end = html[start.upperBound...].firstIndex(of: "\"") else { return nil }
            return String(html[start.upperBound..<end])
        }
        guard html.contains("<form class=\"notice\" id=\"sign-in-form\" method=\"post\" action=\"/login\">"),
              let token = value("token"), let next = value("next") else { return nil }
        self.token = token
        self.next = next
    }
}

/// Everything logged, messages with their metadata, at every level.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var text: String { lock.withLock { lines.joined(separator: "\n") } }

    var logger: Logger {
        var logger = Logger(label: "capture", factory: { _ in Handler(capture: self) })
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            let all = self.metadata.merging(metadata ?? [:]) { $1 }
            capture.lock.withLock { capture.lines.append("\(level) \(message) \(all)") }
        }
    }
}
