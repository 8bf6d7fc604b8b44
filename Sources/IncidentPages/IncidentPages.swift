import Foundation
import GRDB
import Hummingbird
import Logging
import ServiceLifecycle
import TocsinCore
import TocsinStorage

/// Incident pages, signing in with chat, chat captured into timelines and postmortems
/// (issue 13), built once by the gateway assembly on its database.
public struct IncidentPages: Sendable {
    public let settings: PagesSettings
    public let signIn: SignInLinks
    public let chat: ChatRecordTable
    public let recorder: ChatRecorder
    let linkPreview: SignInLinkPreview
    let catalog: any IncidentCatalog
    let visibility: IncidentVisibility
    let renderer: PageRenderer
    let prefix: String
    let logger: Logger

    /// The list reads at most this many newest matching incidents before filtering by visibility.
    static let listScanLimit = 2000

    public init(settings: PagesSettings, database: any DatabaseWriter, catalog: any IncidentCatalog,
                visibility: IncidentVisibility, recording: RecordingRulesSource, parser: CommandParser, logger: Logger) throws {
        self.settings = settings
        let chat = try ChatRecordTable(database: database)
        self.chat = chat
        self.signIn = SignInLinks(settings: settings, links: try LoginLinkTable(database: database),
                                  sessions: try WebSessionTable(database: database))
        self.linkPreview = SignInLinkPreview(database: database)
        self.catalog = catalog
        self.visibility = visibility
        self.renderer = PageRenderer()
        self.prefix = parser.prefix
        self.logger = logger
        self.recorder = ChatRecorder(rules: recording, store: chat, parser: parser, activity: { number in
            try? await catalog.activity(of: number)
        }, logger: logger)
    }

    /// Mounts the pages on the intake's router.
    public func addRoutes(to router: Hummingbird.Router<BasicRequestContext>) {
        IncidentPageRoutes(pages: self).add(to: router)
    }

    /// ``addRoutes(to:)`` as a value, for the intake (`buildIntakeRouter(…extraRoutes:)`).
    public var routes: @Sendable (Hummingbird.Router<BasicRequestContext>) -> Void {
        { router in self.addRoutes(to: router) }
    }

    /// The lifecycle service that writes recorded lines.
    public var recordingService: any Service { ChatRecordingService(recorder: recorder) }

    /// Hourly housekeeping: recorded lines past the retention, expired links and sessions.
    public func prune(now: Date = Date()) async throws {
        let removed = try await chat.prune(olderThan: now.addingTimeInterval(-recorder.rules.retention))
        if removed > 0 { logger.info("pruned recorded chat lines past their retention", metadata: ["lines": "\(removed)"]) }
        try await signIn.prune()
    }

    func rooms(of number: Int) async throws -> [ChatDestination] {
        try await chat.rooms(incident: number).map { .room($0.room, on: $0.network) }
    }

    func canSee(_ incident: Incident, as identity: ChatIdentity) async throws -> Bool {
        if visibility.canSee(incident, as: identity) { return true }
        return visibility.canSee(incident, as: identity, announcedIn: try await rooms(of: incident.number))
    }

    /// The incident with its chat, or nil when it does not exist or `identity` may not see it.
    func summary(of number: Int, as identity: ChatIdentity) async throws -> IncidentSummary? {
        guard let record = try await catalog.record(of: number) else { return nil }
        let announced = try await rooms(of: number)
        guard visibility.canSee(record.incident, as: identity, announcedIn: announced) else { return nil }
        let lines = try await chat.lines(incident: number).map { line in
            RecordedChatLine(incident: line.incident, at: line.at, network: line.network, room: line.room, nick: line.nick,
                             identity: line.identity, text: line.text, isBot: line.isBot)
        }
        let emails = visibility.policy.identities
        return IncidentSummary(record: record, chat: lines, rooms: announced.map { "\($0.network) \($0.conversation)" },
                               emailOf: { ChatIdentity(configString: $0).flatMap { emails[$0] } })
    }
}

/// Runs the ``ChatRecorder``'s writer until the gateway shuts down.
struct ChatRecordingService: Service {
    let recorder: ChatRecorder

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await recorder.run()
        }
    }
}

/// The chat record table is the recorder's store (the storage target does not know the core).
extension ChatRecordTable: ChatRecordStore {
    public func noteAnnounced(_ incident: Int, in room: ChatDestination, at: Date) async throws {
        guard case .room(let name) = room.conversation else { return }
        try await noteAnnounced(incident: incident, network: room.network, room: name, at: at)
    }

    public func incidentsAnnounced(in room: ChatDestination, since: Date) async throws -> [Int] {
        guard case .room(let name) = room.conversation else { return [] }
        return try await incidentsAnnounced(network: room.network, room: name, since: since)
    }

    public func append(_ lines: [RecordedChatLine]) async throws {
        try await append(lines.map {
            Line(incident: $0.incident, at: $0.at, network: $0.network, room: $0.room, nick: $0.nick,
                 identity: $0.identity, text: $0.text, isBot: $0.isBot)
        })
    }
}
