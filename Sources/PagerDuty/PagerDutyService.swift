import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
import TocsinCore

/// Chat commands carried out on PagerDuty through REST API v2.
///
/// People name incidents by number (`!ack 1234`); PagerDuty writes go to the incident id. `GET
/// /incidents/{id}` "accepts either an incident id, or an incident number" (REST API reference, "Get
/// an incident"), so each command reads the incident by number first — which also tells its current
/// status, so `!ack 1 2 3` can answer per number (already acknowledged, resolved, missing) — and
/// remembers number → id for the next read.
public final class PagerDutyService: IncidentService, HealthSource, Sendable {
    public let backendName = "PagerDuty"
    public let supportedCommands: Set<CommandName> = Set(CommandName.allCases)

    let configuration: PagerDutyConfiguration
    let client: PagerDutyRESTClient
    let mapping: IncidentMapping
    let clock: any PagerDutyClock
    let logger: Logger
    private let incidentIDs = Mutex<[Int: String]>([:])

    /// `PUT /incidents` takes at most 250 incidents (413 above).
    static let bulkUpdateLimit = 250
    /// Classic pagination: `limit` at most 100, `offset + limit` at most 10,000.
    static let pageLimit = 100
    static let paginationCeiling = 10_000
    private static let incidentIDCacheCapacity = 10_000

    public convenience init(configuration: PagerDutyConfiguration, httpClient: HTTPClient, logger: Logger) {
        self.init(
            configuration: configuration, transport: AsyncHTTPClientTransport(client: httpClient),
            clock: SystemPagerDutyClock(), jitter: { Double.random(in: 0..<1) }, logger: logger)
    }

    init(
        configuration: PagerDutyConfiguration, transport: any PagerDutyTransport, clock: any PagerDutyClock,
        jitter: @escaping @Sendable () -> Double, logger: Logger
    ) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        client = PagerDutyRESTClient(configuration: configuration, transport: transport, clock: clock, jitter: jitter, logger: logger)
        mapping = IncidentMapping(configuration: configuration)
    }

    // MARK: State changes

    public func acknowledge(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome] {
        try await transition(numbers, to: .acknowledged, verb: "acknowledge", by: actor)
    }

    public func resolve(_ numbers: [Int], by actor: Actor) async throws -> [TransitionOutcome] {
        try await transition(numbers, to: .resolved, verb: "resolve", by: actor)
    }

    /// Reads each incident, answers the ones already in `target` (or that cannot get there) on
    /// their own, and changes the rest with one bulk `PUT /incidents`.
    ///
    /// Errors about one incident (not found, refused) become that number's outcome; errors about
    /// PagerDuty itself (unavailable, token refused) fail the command, unless some numbers already
    /// have an answer worth showing.
    func transition(
        _ numbers: [Int], to target: IncidentStatus, verb: String, by actor: Actor
    ) async throws(IncidentServiceError) -> [TransitionOutcome] {
        var unique: [Int] = []
        for number in numbers where !unique.contains(number) { unique.append(number) }
        var outcomes: [Int: TransitionOutcome] = [:]
        var pending: [(number: Int, resource: IncidentResource)] = []
        for number in unique {
            do {
                let resource = try await incidentResource(number)
                let incident = try mapping.incident(resource)
                if incident.status == target {
                    outcomes[number] = .unchanged(incident)
                } else if target == .acknowledged, incident.status == .resolved {
                    outcomes[number] = .failed(number: number, .invalidTransition(number: number, from: .resolved, to: verb))
                } else {
                    pending.append((number, resource))
                }
            } catch {
                guard case .notFound = error else { throw error }
                outcomes[number] = .failed(number: number, error)
            }
        }

        var start = 0
        while start < pending.count {
            let chunk = pending[start..<min(start + Self.bulkUpdateLimit, pending.count)]
            start += Self.bulkUpdateLimit
            let body = RequestBody.BulkStatusUpdate(incidents: chunk.map { .init(id: $0.resource.id, status: target.rawValue) })
            do {
                let answer = try await client.send(
                    APIRequest(.put, "/incidents", body: RequestBody.encode(body), from: actor), expecting: IncidentList.self)
                var updated: [String: IncidentResource] = [:]
                for resource in answer.incidents { updated[resource.id] = resource }
                for (number, resource) in chunk {
                    if let fresh = updated[resource.id] {
                        remember(fresh)
                        outcomes[number] = .changed(try mapping.incident(fresh))
                    } else {
                        var incident = try mapping.incident(resource)
                        incident.status = target
                        outcomes[number] = .changed(incident)
                    }
                }
            } catch {
                if outcomes.isEmpty, case .unavailable = error { throw error }
                for (number, _) in chunk { outcomes[number] = .failed(number: number, error) }
            }
        }
        return unique.compactMap { outcomes[$0] }
    }

    public func addNote(to number: Int, content: String, by actor: Actor) async throws -> Incident {
        let text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw IncidentServiceError.invalidArgument("a note needs some text") }
        let resource = try await incidentResource(number)
        _ = try await client.send(
            APIRequest(.post, APIRequest.path("incidents", resource.id, "notes"),
                       body: RequestBody.encode(RequestBody.NoteCreate(note: .init(content: text))),
                       from: actor, incidentNumber: number),
            expecting: NoteEnvelope.self)
        return try mapping.incident(resource)
    }

    public func trigger(service: String, title: String, by actor: Actor) async throws -> Incident {
        guard let serviceID = Self.lookup(service, in: configuration.services) else {
            throw IncidentServiceError.unknownService(service)
        }
        let summary = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !summary.isEmpty else { throw IncidentServiceError.invalidArgument("an incident needs a summary") }
        let body = RequestBody.IncidentCreate(incident: .init(
            title: summary, service: .init(id: serviceID, type: "service_reference")))
        let answer = try await client.send(
            APIRequest(.post, "/incidents", body: RequestBody.encode(body), from: actor), expecting: IncidentEnvelope.self)
        remember(answer.incident)
        return try mapping.incident(answer.incident)
    }

    public func reassign(_ number: Int, to user: String, by actor: Actor) async throws -> Incident {
        let resource = try await incidentResource(number)
        if resource.status == IncidentStatus.resolved.rawValue {
            throw IncidentServiceError.invalidTransition(number: number, from: .resolved, to: "reassign")
        }
        let assignee = try await findUser(user)
        let body = RequestBody.IncidentUpdate(incident: .init(
            assignments: [.init(assignee: .init(id: assignee.id, type: "user_reference"))]))
        let answer = try await update(resource, number: number, body: body, by: actor)
        var incident = try mapping.incident(answer)
        if incident.assignee == nil { incident.assignee = assignee.displayName }
        return incident
    }

    public func escalate(_ number: Int, toLevel level: Int?, by actor: Actor) async throws -> Incident {
        if let level, level < 1 {
            throw IncidentServiceError.invalidArgument("escalation levels start at 1")
        }
        let resource = try await incidentResource(number)
        if resource.status == IncidentStatus.resolved.rawValue {
            throw IncidentServiceError.invalidTransition(number: number, from: .resolved, to: "escalate")
        }
        let target: Int
        if let level { target = level } else { target = try await nextEscalationLevel(for: resource) }
        let body = RequestBody.IncidentUpdate(incident: .init(escalationLevel: target))
        var incident = try mapping.incident(try await update(resource, number: number, body: body, by: actor))
        incident.escalationLevel = target
        return incident
    }

    public func snooze(_ number: Int, for seconds: Int, by actor: Actor) async throws -> Incident {
        guard seconds > 0 else { throw IncidentServiceError.invalidArgument("snooze for a positive duration") }
        let resource = try await incidentResource(number)
        // PagerDuty snoozes acknowledged incidents only (error 1012 "Incident is not Acknowledged").
        if resource.status != IncidentStatus.acknowledged.rawValue {
            let status = IncidentStatus(rawValue: resource.status) ?? .triggered
            throw IncidentServiceError.invalidTransition(number: number, from: status, to: "snooze")
        }
        let answer = try await client.send(
            APIRequest(.post, APIRequest.path("incidents", resource.id, "snooze"),
                       body: RequestBody.encode(RequestBody.Snooze(duration: seconds)), from: actor,
                       isIdempotent: true, incidentNumber: number),
            expecting: IncidentEnvelope.self)
        remember(answer.incident)
        var incident = try mapping.incident(answer.incident)
        let wakeUp = answer.incident.pendingActions?.first { $0.type == "unacknowledge" }.flatMap { PagerDutyDate.parse($0.at) }
        incident.snoozedUntil = wakeUp ?? clock.now().addingTimeInterval(TimeInterval(seconds))
        return incident
    }

    // MARK: Reading

    public func openIncidents(limit: Int) async throws -> IncidentPage {
        let wanted = max(1, limit)
        var collected: [IncidentResource] = []
        var more = false
        while collected.count < wanted {
            let pageSize = min(Self.pageLimit, wanted - collected.count)
            guard collected.count + pageSize <= Self.paginationCeiling else { more = true; break }
            let page = try await client.send(
                APIRequest(.get, "/incidents", query: [
                    .init("statuses[]", "triggered"), .init("statuses[]", "acknowledged"),
                    .init("sort_by", "created_at:desc"), .init("date_range", "all"),
                    .init("limit", String(pageSize)), .init("offset", String(collected.count)),
                ]),
                expecting: IncidentList.self)
            collected += page.incidents
            more = page.more ?? false
            if !more || page.incidents.isEmpty { break }
        }
        collected.forEach(remember)
        let incidents = try collected.prefix(wanted).map { resource throws(IncidentServiceError) in try mapping.incident(resource) }
        return IncidentPage(incidents: incidents, more: more || collected.count > wanted)
    }

    public func details(of number: Int) async throws -> IncidentDetails {
        let resource = try await incidentResource(number)
        let incident = try mapping.incident(resource)
        let notes = try await client.send(
            APIRequest(.get, APIRequest.path("incidents", resource.id, "notes"), incidentNumber: number),
            expecting: NoteList.self)
        // The timeline is a nicety: a failure to read it does not fail `!incident`.
        var timeline: [TimelineEntry] = []
        do {
            let entries = try await client.send(
                APIRequest(.get, APIRequest.path("incidents", resource.id, "log_entries"),
                           query: [.init("is_overview", "true"), .init("limit", "25")], incidentNumber: number),
                expecting: LogEntryList.self)
            timeline = entries.logEntries.compactMap(mapping.timelineEntry).sorted { $0.at < $1.at }
        } catch {
            logger.notice("PagerDuty incident timeline unavailable", metadata: ["incident": "\(number)", "error": "\(error)"])
        }
        return IncidentDetails(
            incident: incident, notes: notes.notes.compactMap(mapping.note).sorted { $0.createdAt < $1.createdAt },
            timeline: timeline)
    }

    /// Who is on call now for the configured schedules and escalation policies, or for the one named.
    /// Schedules and policies are asked separately: PagerDuty combines different filters with AND.
    public func onCall(name: String?) async throws -> [OnCallEntry] {
        var scheduleIDs = configuration.schedules
        var policyIDs = configuration.escalationPolicies
        if let name {
            if let key = Self.lookupKey(name, in: configuration.schedules) {
                scheduleIDs = [key: configuration.schedules[key]!]
                policyIDs = [:]
            } else if let key = Self.lookupKey(name, in: configuration.escalationPolicies) {
                scheduleIDs = [:]
                policyIDs = [key: configuration.escalationPolicies[key]!]
            } else {
                throw IncidentServiceError.unknownOnCallScope(name)
            }
        }
        let scheduleNames = Dictionary(scheduleIDs.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        let policyNames = Dictionary(policyIDs.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })

        var found: [OnCallResource] = []
        var entries: [OnCallEntry] = []
        if scheduleIDs.isEmpty, policyIDs.isEmpty {
            found = try await onCalls(filter: [])
            entries = found.map { entry(for: $0, scope: $0.schedule?.summary ?? $0.escalationPolicy?.summary ?? "on call") }
        }
        if !scheduleIDs.isEmpty {
            // Only shifts on the schedules asked for (direct user targets come back with `schedule: null`).
            found = try await onCalls(filter: scheduleIDs.values.sorted().map { .init("schedule_ids[]", $0) })
            entries += found.compactMap { oncall in
                guard let schedule = oncall.schedule, let name = scheduleNames[schedule.id] else { return nil }
                return entry(for: oncall, scope: name)
            }
        }
        if !policyIDs.isEmpty {
            found = try await onCalls(filter: policyIDs.values.sorted().map { .init("escalation_policy_ids[]", $0) })
            entries += found.map { oncall in
                entry(for: oncall, scope: oncall.escalationPolicy.flatMap { policyNames[$0.id] ?? $0.summary } ?? "on call")
            }
        }
        var seen = Set<String>()
        return entries
            .filter { seen.insert("\($0.scope)\u{0}\($0.user)\u{0}\($0.escalationLevel)").inserted }
            .sorted { ($0.scope, $0.escalationLevel, $0.user) < ($1.scope, $1.escalationLevel, $1.user) }
    }

    // MARK: Health

    public func health() async -> [ComponentHealth] {
        let condition = client.condition
        let status: ComponentHealth.Status
        let detail: String?
        switch condition.breaker.state {
        case .open(let until, let failures):
            status = .down
            detail = "circuit open after \(failures) failures (last: \(condition.breaker.lastFailure ?? "unknown")); "
                + "retrying at \(PagerDutyDate.format(until))"
        case .halfOpen:
            status = .degraded
            detail = "probing PagerDuty after the circuit opened (last: \(condition.breaker.lastFailure ?? "unknown"))"
        case .closed(let failures):
            if let rejected = condition.tokenRejected {
                status = .down
                detail = "API token rejected: \(rejected)"
            } else if let retrying = condition.retrying {
                status = .degraded
                detail = failures > 0 ? "retrying after \(failures) consecutive failures (last: \(retrying))" : "retrying: \(retrying)"
            } else {
                status = .ok
                detail = nil
            }
        }
        return [ComponentHealth(component: "pagerduty", status: status, detail: detail)]
    }

    // MARK: Helpers

    /// The incident by number, through the cached id when there is one.
    func incidentResource(_ number: Int) async throws(IncidentServiceError) -> IncidentResource {
        guard number > 0 else { throw .notFound(number: number) }
        let key = incidentIDs.withLock { $0[number] } ?? String(number)
        let answer = try await client.send(
            APIRequest(.get, APIRequest.path("incidents", key), incidentNumber: number), expecting: IncidentEnvelope.self)
        guard answer.incident.incidentNumber == number else {
            incidentIDs.withLock { _ = $0.removeValue(forKey: number) }
            throw .notFound(number: number)
        }
        remember(answer.incident)
        return answer.incident
    }

    private func remember(_ resource: IncidentResource) {
        incidentIDs.withLock { ids in
            if ids.count >= Self.incidentIDCacheCapacity, ids[resource.incidentNumber] == nil { ids.removeAll(keepingCapacity: true) }
            ids[resource.incidentNumber] = resource.id
        }
    }

    func cachedIncidentID(_ number: Int) -> String? {
        incidentIDs.withLock { $0[number] }
    }

    private func update(
        _ resource: IncidentResource, number: Int, body: RequestBody.IncidentUpdate, by actor: Actor
    ) async throws(IncidentServiceError) -> IncidentResource {
        let answer = try await client.send(
            APIRequest(.put, APIRequest.path("incidents", resource.id), body: RequestBody.encode(body), from: actor,
                       incidentNumber: number),
            expecting: IncidentEnvelope.self)
        remember(answer.incident)
        return answer.incident
    }

    /// `GET /users?query=` matches names and email addresses. An exact email or name wins; a single
    /// partial match is taken; several partial matches are refused rather than guessed.
    func findUser(_ query: String) async throws(IncidentServiceError) -> UserResource {
        let text = query.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw .invalidArgument("name a user to reassign to") }
        let answer = try await client.send(
            APIRequest(.get, "/users", query: [.init("query", text), .init("limit", "25")]), expecting: UserList.self)
        let users = answer.users
        if let exact = users.first(where: { $0.email?.caseInsensitiveCompare(text) == .orderedSame }) { return exact }
        let named = users.filter { $0.name?.caseInsensitiveCompare(text) == .orderedSame }
        if named.count == 1 { return named[0] }
        if users.count == 1 { return users[0] }
        if users.isEmpty { throw .unknownUser(text) }
        let candidates = users.prefix(5).map { $0.email ?? $0.displayName }.joined(separator: ", ")
        throw .invalidArgument("\"\(text)\" matches \(users.count) users (\(candidates)); name one by email")
    }

    /// PagerDuty incidents do not say which escalation level they are at; the assignee's level in the
    /// incident's escalation policy, from `GET /oncalls`, does.
    func nextEscalationLevel(for resource: IncidentResource) async throws(IncidentServiceError) -> Int {
        guard let policy = resource.escalationPolicy?.id else { return 2 }
        let oncalls = try await onCalls(filter: [.init("escalation_policy_ids[]", policy)], includeUsers: false)
        let assignees = Set((resource.assignments ?? []).map(\.assignee.id))
        let current = oncalls.filter { assignees.contains($0.user.id) }.map(\.escalationLevel).min() ?? 1
        if let highest = oncalls.map(\.escalationLevel).max(), current >= highest {
            throw .invalidArgument("#\(resource.incidentNumber) is already at the last level (\(highest)) of "
                + "\(resource.escalationPolicy?.summary ?? "its escalation policy")")
        }
        return current + 1
    }

    private func onCalls(filter: [APIRequest.QueryItem], includeUsers: Bool = true) async throws(IncidentServiceError) -> [OnCallResource] {
        var found: [OnCallResource] = []
        var offset = 0
        for _ in 0..<10 {
            var query = filter + [.init("earliest", "true")]
            if includeUsers { query.append(.init("include[]", "users")) }
            query += [.init("limit", String(Self.pageLimit)), .init("offset", String(offset))]
            let page = try await client.send(APIRequest(.get, "/oncalls", query: query), expecting: OnCallList.self)
            found += page.oncalls
            offset += page.oncalls.count
            guard page.more == true, !page.oncalls.isEmpty else { break }
        }
        return found
    }

    private func entry(for oncall: OnCallResource, scope: String) -> OnCallEntry {
        OnCallEntry(
            scope: scope, user: oncall.user.displayName, email: oncall.user.email,
            escalationLevel: oncall.escalationLevel, until: oncall.end.flatMap(PagerDutyDate.parse))
    }

    /// Configured names match exactly, else case-insensitively.
    static func lookupKey(_ name: String, in table: [String: String]) -> String? {
        if table[name] != nil { return name }
        return table.keys.sorted().first { $0.caseInsensitiveCompare(name) == .orderedSame }
    }

    static func lookup(_ name: String, in table: [String: String]) -> String? {
        lookupKey(name, in: table).flatMap { table[$0] }
    }
}
