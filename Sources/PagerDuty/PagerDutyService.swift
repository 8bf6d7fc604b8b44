import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
import TocsinCore

/// Chat commands carried out on PagerDuty through REST API v2.
///
/// People name incidents by number (`!ack 1234`); PagerDuty writes go to the incident id. Tocsin
/// remembers number → id and the last status it saw, from every answer, from webhook deliveries
/// (``learn(_:)``) and from the open incidents listed at start (``learnOpenIncidents(upTo:)``), so
/// `!ack`/`!resolve` of a known incident is one `PUT` whose answer — or PagerDuty's error code —
/// gives the outcome. An unknown number is read first: `GET /incidents/{id}` "accepts either an
/// incident id, or an incident number" (REST API reference, "Get an incident"), which also tells
/// its current status, so `!ack 1 2 3` can answer per number (already acknowledged, resolved,
/// missing).
public final class PagerDutyService: IncidentService, HealthSource, Sendable {
    public let backendName = "PagerDuty"
    public let supportedCommands: Set<CommandName> = Set(CommandName.allCases)

    let configuration: PagerDutyConfiguration
    let client: PagerDutyRESTClient
    let mapping: IncidentMapping
    let clock: any PagerDutyClock
    let logger: Logger
    /// Number → id and last known status, learned from answers, webhooks and announcements.
    private let known = Mutex<[Int: KnownIncident]>([:])
    private let newIncidentKey: @Sendable () -> String

    /// `PUT /incidents` takes at most 250 incidents (413 above).
    static let bulkUpdateLimit = 250
    /// Classic pagination: `limit` at most 100, `offset + limit` at most 10,000.
    static let pageLimit = 100
    static let paginationCeiling = 10_000
    private static let knownIncidentCapacity = 10_000
    /// How far PagerDuty's clock may be behind Tocsin's when matching a write's effect by time.
    static let clockSkewAllowance: TimeInterval = 120

    public convenience init(configuration: PagerDutyConfiguration, httpClient: HTTPClient, logger: Logger) {
        self.init(
            configuration: configuration, transport: AsyncHTTPClientTransport(client: httpClient),
            clock: SystemPagerDutyClock(), jitter: { Double.random(in: 0..<1) }, logger: logger)
    }

    /// Over the backend's own client (``PagerDutyHTTPClient``), sized for the commands that may
    /// run at once; shut it down at gateway stop.
    public convenience init(configuration: PagerDutyConfiguration, httpClient: PagerDutyHTTPClient, logger: Logger) {
        self.init(
            configuration: configuration, transport: AsyncHTTPClientTransport(owned: httpClient),
            clock: SystemPagerDutyClock(), jitter: { Double.random(in: 0..<1) }, logger: logger)
    }

    init(
        configuration: PagerDutyConfiguration, transport: any PagerDutyTransport, clock: any PagerDutyClock,
        jitter: @escaping @Sendable () -> Double, logger: Logger,
        newIncidentKey: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }
    ) {
        self.configuration = configuration
        self.newIncidentKey = newIncidentKey
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

    /// Changes the incidents with bulk `PUT /incidents`, reading an incident first only when its
    /// id is not known or what Tocsin last saw of it says the write would change nothing.
    ///
    /// Numbers whose id Tocsin has learned (from a webhook, an announcement or an earlier answer)
    /// and whose last known status is not already `target` are written straight away: one request,
    /// the outcome read from its answer. PagerDuty refuses a status it cannot apply with its error
    /// codes (REST API › "Errors"): 1001 "Incident Already Resolved" answers `!ack` of a resolved
    /// incident (invalid transition, nothing more to ask); 1002 "Incident Already Acknowledged"
    /// and 1001 to `!resolve` mean the incident is already there, so it is read for an "unchanged"
    /// answer that says by whom and when. Any other refusal of a direct write (a stale id, a refused
    /// bulk of several incidents) sends those numbers the long way.
    ///
    /// The long way reads each incident (`GET`, by id when known, else by number), answers the
    /// ones already in `target` (or that cannot get there) on their own, and changes the rest with
    /// one bulk `PUT /incidents`. Errors about one incident (not found, refused) become that
    /// number's outcome; errors about PagerDuty itself (unavailable, token refused) fail the
    /// command, unless some numbers already have an answer worth showing.
    func transition(
        _ numbers: [Int], to target: IncidentStatus, verb: String, by actor: Actor
    ) async throws(IncidentServiceError) -> [TransitionOutcome] {
        var unique: [Int] = []
        for number in numbers where !unique.contains(number) { unique.append(number) }
        var outcomes: [Int: TransitionOutcome] = [:]
        var direct: [(number: Int, id: String)] = []
        var lookUp: [Int] = []
        for number in unique {
            if number > 0, let known = knownIncident(number), known.status.map({ Self.writeMayChange($0, to: target) }) ?? true {
                direct.append((number, known.id))
            } else {
                lookUp.append(number)
            }
        }

        for chunk in Self.chunks(direct) {
            let reply: Result<IncidentList, PagerDutyRESTClient.Refusal>
            do {
                reply = try await writeStatus(chunk, to: target, by: actor)
            } catch {
                if outcomes.isEmpty, case .unavailable = error { throw error }
                for (number, _) in chunk { outcomes[number] = .failed(number: number, error) }
                continue
            }
            switch reply {
            case .success(let answer):
                var updated: [String: IncidentResource] = [:]
                for resource in answer.incidents { updated[resource.id] = resource }
                for (number, id) in chunk {
                    if let fresh = updated[id], fresh.incidentNumber == number {
                        remember(fresh)
                        do {
                            outcomes[number] = .changed(try mapping.incident(fresh))
                        } catch {
                            outcomes[number] = .failed(number: number, error)
                        }
                    } else {
                        // Written, but the answer does not show it: read it.
                        do {
                            let resource = try await incidentResource(number)
                            outcomes[number] = .changed(try mapping.incident(resource))
                        } catch {
                            outcomes[number] = .failed(number: number, error)
                        }
                    }
                }
            case .failure(let refusal):
                guard Self.mayBeAboutTheIncident(refusal) else {
                    // The token, the acting user, the request: asking again the long way changes nothing.
                    for (number, _) in chunk { outcomes[number] = .failed(number: number, refusal.error) }
                    continue
                }
                if chunk.count == 1, let (number, _) = chunk.first,
                   refusal.code == PagerDutyErrorCode.incidentAlreadyResolved, target == .acknowledged {
                    forgetStatus(number, now: .resolved)
                    outcomes[number] = .failed(number: number, .invalidTransition(number: number, from: .resolved, to: verb))
                    continue
                }
                // Already there (1002, or 1001 to a resolve): read it for who and when. Anything
                // else — a stale id, several incidents in one refused bulk — also goes the long way.
                for (number, _) in chunk {
                    forgetStatus(number, now: nil)
                    lookUp.append(number)
                }
            }
        }

        var pending: [(number: Int, resource: IncidentResource)] = []
        for number in unique where lookUp.contains(number) {
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
                // Some numbers may already be written: their answers are worth more than one error.
                guard case .notFound = error else {
                    if outcomes.isEmpty { throw error }
                    outcomes[number] = .failed(number: number, error)
                    continue
                }
                outcomes[number] = .failed(number: number, error)
            }
        }

        for chunk in Self.chunks(pending) {
            let written: [(number: Int, id: String)] = chunk.map { ($0.number, $0.resource.id) }
            do throws(IncidentServiceError) {
                let answer: IncidentList
                switch try await writeStatus(written, to: target, by: actor) {
                case .success(let list): answer = list
                case .failure(let refusal): throw refusal.error
                }
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

    /// Whether writing `target` to an incident last seen in `status` may change it. When it may
    /// not (already there, or acknowledging a resolved one) the incident is read instead: the
    /// answer needs who and when, and a write would at best be refused.
    static func writeMayChange(_ status: IncidentStatus, to target: IncidentStatus) -> Bool {
        status != target && !(target == .acknowledged && status == .resolved)
    }

    /// Whether a refused status write may be explained by the incident itself — already there
    /// (1001, 1002), or an id PagerDuty no longer knows (404, 2100, 5001, or 2001 "Invalid Input
    /// Provided" naming the id) — so reading it may still give an answer. A refused token (401),
    /// acting user (403, or 400 1008 "Requester User Not Found") or anything else would be
    /// refused again.
    static func mayBeAboutTheIncident(_ refusal: PagerDutyRESTClient.Refusal) -> Bool {
        if refusal.status == 404 { return true }
        guard refusal.status == 400, let code = refusal.code else { return false }
        return [PagerDutyErrorCode.incidentAlreadyResolved, PagerDutyErrorCode.incidentAlreadyAcknowledged,
                PagerDutyErrorCode.notFound, PagerDutyErrorCode.incidentNotFound, PagerDutyErrorCode.invalidInput].contains(code)
    }

    static func chunks<Element>(_ items: [Element]) -> [ArraySlice<Element>] {
        stride(from: 0, to: items.count, by: bulkUpdateLimit).map { items[$0..<min($0 + bulkUpdateLimit, items.count)] }
    }

    /// One bulk `PUT /incidents` setting `target` on `incidents` (at most ``bulkUpdateLimit``).
    ///
    /// Not repeated blindly after a 5xx, a timeout or a dropped connection: PagerDuty may have
    /// applied it, and a repeat would acknowledge twice (or be refused as "already acknowledged"
    /// and answered as someone else's). Each incident is read instead; when all are in `target`
    /// the write counts as applied, otherwise it is sent again while attempts last.
    private func writeStatus(
        _ incidents: some Collection<(number: Int, id: String)>, to target: IncidentStatus, by actor: Actor
    ) async throws(IncidentServiceError) -> Result<IncidentList, PagerDutyRESTClient.Refusal> {
        let written = Array(incidents)
        let body = RequestBody.BulkStatusUpdate(incidents: written.map { .init(id: $0.id, status: target.rawValue) })
        return try await client.sendOrRefusal(
            APIRequest(.put, "/incidents", body: RequestBody.encode(body), from: actor, isIdempotent: false,
                       incidentNumber: written.count == 1 ? written[0].number : nil),
            expecting: IncidentList.self,
            ifUnsure: { () async throws(IncidentServiceError) -> IncidentList? in
                var now: [IncidentResource] = []
                for (number, id) in written {
                    let answer = try await self.client.send(
                        APIRequest(.get, APIRequest.path("incidents", id), incidentNumber: number), expecting: IncidentEnvelope.self)
                    guard answer.incident.status == target.rawValue else { return nil }
                    now.append(answer.incident)
                }
                return IncidentList(incidents: now, more: false)
            })
    }

    /// Adding a note is not idempotent: after a 5xx or a lost answer the incident's notes are read
    /// and the note counts as added when one with the same text appeared since the command began.
    public func addNote(to number: Int, content: String, by actor: Actor) async throws -> Incident {
        let text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw IncidentServiceError.invalidArgument("a note needs some text") }
        let resource = try await incidentResource(number)
        let notesPath = APIRequest.path("incidents", resource.id, "notes")
        let since = clock.now().addingTimeInterval(-Self.clockSkewAllowance)
        _ = try await client.send(
            APIRequest(.post, notesPath, body: RequestBody.encode(RequestBody.NoteCreate(note: .init(content: text))),
                       from: actor, incidentNumber: number),
            expecting: NoteEnvelope.self,
            ifUnsure: { () async throws(IncidentServiceError) -> NoteEnvelope? in
                let notes = try await self.client.send(
                    APIRequest(.get, notesPath, incidentNumber: number), expecting: NoteList.self)
                return notes.notes.first { note in
                    note.content == text && (PagerDutyDate.parse(note.createdAt).map { $0 >= since } ?? false)
                }.map { NoteEnvelope(note: $0) }
            })
        return try mapping.incident(resource)
    }

    /// Creating an incident is not idempotent: it carries a fresh `incident_key`, and after a 5xx or
    /// a lost answer Tocsin looks the incident up by that key before creating it again.
    public func trigger(service: String, title: String, by actor: Actor) async throws -> Incident {
        guard let serviceID = Self.lookup(service, in: configuration.services) else {
            throw IncidentServiceError.unknownService(service)
        }
        let summary = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !summary.isEmpty else { throw IncidentServiceError.invalidArgument("an incident needs a summary") }
        let key = "tocsin-" + newIncidentKey()
        let body = RequestBody.IncidentCreate(incident: .init(
            title: summary, service: .init(id: serviceID, type: "service_reference"), incidentKey: key))
        let answer = try await client.send(
            APIRequest(.post, "/incidents", body: RequestBody.encode(body), from: actor), expecting: IncidentEnvelope.self,
            ifUnsure: { () async throws(IncidentServiceError) -> IncidentEnvelope? in
                let found = try await self.client.send(
                    APIRequest(.get, "/incidents", query: [
                        .init("incident_key", key), .init("date_range", "all"), .init("limit", "1"),
                    ]),
                    expecting: IncidentList.self)
                return found.incidents.first { $0.incidentKey == key }.map { IncidentEnvelope(incident: $0) }
            })
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

    /// The level comes from the incident's escalation policy (`GET /escalation_policies/{id}`, one
    /// level per escalation rule), never from who happens to be on call: a level with nobody on
    /// call now is still a level, and a level past the last one is refused before any write.
    public func escalate(_ number: Int, toLevel level: Int?, by actor: Actor) async throws -> Incident {
        if let level, level < 1 {
            throw IncidentServiceError.invalidArgument("escalation levels start at 1")
        }
        let resource = try await incidentResource(number)
        if resource.status == IncidentStatus.resolved.rawValue {
            throw IncidentServiceError.invalidTransition(number: number, from: .resolved, to: "escalate")
        }
        guard let policyID = resource.escalationPolicy?.id else {
            throw IncidentServiceError.invalidArgument("#\(number) has no escalation policy to escalate along")
        }
        let policy = try await escalationPolicy(policyID)
        let levels = policy.escalationRules.count
        let policyName = policy.name ?? policy.summary ?? resource.escalationPolicy?.summary ?? policyID
        let target: Int
        if let level {
            guard level <= levels else {
                throw IncidentServiceError.invalidArgument(
                    "\(policyName) has \(levels) escalation \(levels == 1 ? "level" : "levels"); #\(number) cannot go to level \(level)")
            }
            target = level
        } else {
            let current = try await currentEscalationLevel(of: resource, in: policy)
            guard current < levels else {
                throw IncidentServiceError.invalidArgument("#\(number) is already at the last level (\(levels)) of \(policyName)")
            }
            target = current + 1
        }
        let body = RequestBody.IncidentUpdate(incident: .init(escalationLevel: target))
        var incident = try mapping.incident(try await update(resource, number: number, body: body, by: actor))
        incident.escalationLevel = target
        return incident
    }

    /// Snoozing is not idempotent (a repeat restarts the snooze from later): after a 5xx or a lost
    /// answer the incident is read again, and the snooze counts as applied when it now has a
    /// pending `unacknowledge` at least `seconds` after the command began.
    public func snooze(_ number: Int, for seconds: Int, by actor: Actor) async throws -> Incident {
        guard seconds > 0 else { throw IncidentServiceError.invalidArgument("snooze for a positive duration") }
        let resource = try await incidentResource(number)
        // PagerDuty snoozes acknowledged incidents only (error 1012 "Incident is not Acknowledged").
        if resource.status != IncidentStatus.acknowledged.rawValue {
            let status = IncidentStatus(rawValue: resource.status) ?? .triggered
            throw IncidentServiceError.invalidTransition(number: number, from: status, to: "snooze")
        }
        let wakeUpAtLeast = clock.now().addingTimeInterval(TimeInterval(seconds) - Self.clockSkewAllowance)
        let answer = try await client.send(
            APIRequest(.post, APIRequest.path("incidents", resource.id, "snooze"),
                       body: RequestBody.encode(RequestBody.Snooze(duration: seconds)), from: actor,
                       incidentNumber: number),
            expecting: IncidentEnvelope.self,
            ifUnsure: { () async throws(IncidentServiceError) -> IncidentEnvelope? in
                let now = try await self.client.send(
                    APIRequest(.get, APIRequest.path("incidents", resource.id), incidentNumber: number),
                    expecting: IncidentEnvelope.self)
                let snoozed = (now.incident.pendingActions ?? []).contains { action in
                    action.type == "unacknowledge" && (PagerDutyDate.parse(action.at).map { $0 >= wakeUpAtLeast } ?? false)
                }
                return snoozed && now.incident.status == IncidentStatus.acknowledged.rawValue ? now : nil
            })
        remember(answer.incident)
        var incident = try mapping.incident(answer.incident)
        let wakeUp = answer.incident.pendingActions?.first { $0.type == "unacknowledge" }.flatMap { PagerDutyDate.parse($0.at) }
        incident.snoozedUntil = wakeUp ?? clock.now().addingTimeInterval(TimeInterval(seconds))
        return incident
    }

    /// Stops the circuit breaker's background probe; for shutdown.
    public func stopProbing() {
        client.stopProbing()
    }

    // MARK: Reading

    public func openIncidents(limit: Int) async throws -> IncidentPage {
        let wanted = max(1, limit)
        let (collected, more) = try await openIncidentResources(limit: wanted)
        let incidents = try collected.prefix(wanted).map { resource throws(IncidentServiceError) in try mapping.incident(resource) }
        return IncidentPage(incidents: incidents, more: more || collected.count > wanted)
    }

    private func openIncidentResources(limit: Int) async throws(IncidentServiceError) -> (resources: [IncidentResource], more: Bool) {
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
        return (collected, more)
    }

    /// Reads the open incidents (newest first, at most `limit`) to learn their numbers and ids, so
    /// `!ack` of an incident opened before the gateway started is one request too. Returns how
    /// many were learned.
    @discardableResult
    public func learnOpenIncidents(upTo limit: Int = 1_000) async throws(IncidentServiceError) -> Int {
        try await openIncidentResources(limit: limit).resources.count
    }

    /// One incident without its notes or history: one `GET /incidents/{id}` (by number when the id
    /// is not known yet). What the incident pages' chat recorder asks for each recorded line.
    public func incident(_ number: Int) async throws -> Incident {
        try mapping.incident(try await incidentResource(number))
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
        let circuit: ComponentHealth.Circuit = switch condition.breaker.state {
        case .open: .open
        case .halfOpen: .halfOpen
        case .closed: .closed
        }
        return [ComponentHealth(component: "pagerduty", status: status, detail: detail, kind: .incidentAPI, circuit: circuit)]
    }

    // MARK: Helpers

    /// The incident by number, through the cached id when there is one. A 404 to the cached id
    /// (a stale cache entry) is not taken as "does not exist": the number is asked instead, and only
    /// PagerDuty's "Not Found" to that question is.
    func incidentResource(_ number: Int) async throws(IncidentServiceError) -> IncidentResource {
        guard number > 0 else { throw .notFound(number: number) }
        if let cached = cachedIncidentID(number) {
            do {
                let answer = try await client.send(
                    APIRequest(.get, APIRequest.path("incidents", cached), incidentNumber: number), expecting: IncidentEnvelope.self)
                if answer.incident.incidentNumber == number {
                    remember(answer.incident)
                    return answer.incident
                }
            } catch {
                guard case .rejected(404, _) = error else { throw error }
            }
            known.withLock { _ = $0.removeValue(forKey: number) }
        }
        let answer = try await client.send(
            APIRequest(.get, APIRequest.path("incidents", String(number)), incidentNumber: number, asksWhetherIncidentExists: true),
            expecting: IncidentEnvelope.self)
        guard answer.incident.incidentNumber == number else {
            throw .unavailable("PagerDuty answered GET /incidents/\(number) with incident #\(answer.incident.incidentNumber)")
        }
        remember(answer.incident)
        return answer.incident
    }

    /// What Tocsin last saw of an incident: enough to write to it without reading it first.
    struct KnownIncident: Sendable, Hashable {
        var id: String
        /// nil when the last sighting did not say, or a write was refused in a way that says the
        /// status is not what Tocsin thought.
        var status: IncidentStatus?
    }

    private func remember(_ resource: IncidentResource) {
        remember(number: resource.incidentNumber, id: resource.id, status: IncidentStatus(rawValue: resource.status))
    }

    private func remember(number: Int, id: String, status: IncidentStatus?) {
        guard number > 0, !id.isEmpty else { return }
        known.withLock { known in
            if known.count >= Self.knownIncidentCapacity, known[number] == nil { known.removeAll(keepingCapacity: true) }
            known[number] = KnownIncident(id: id, status: status)
        }
    }

    /// Learns an incident's number, id and status from what the gateway saw of it — a verified
    /// webhook delivery or an announcement — so the next `!ack` of that number is one `PUT`.
    /// Incidents without a number (a note event about an incident never seen whole) are ignored.
    public func learn(_ incident: Incident) {
        remember(number: incident.number, id: incident.id, status: incident.status)
    }

    /// Marks the status Tocsin knew as wrong (`now: nil`) or corrects it.
    private func forgetStatus(_ number: Int, now status: IncidentStatus?) {
        known.withLock { known in known[number]?.status = status }
    }

    func knownIncident(_ number: Int) -> KnownIncident? {
        known.withLock { $0[number] }
    }

    func cachedIncidentID(_ number: Int) -> String? {
        knownIncident(number)?.id
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

    func escalationPolicy(_ id: String) async throws(IncidentServiceError) -> EscalationPolicyResource {
        let answer = try await client.send(
            APIRequest(.get, APIRequest.path("escalation_policies", id)), expecting: EscalationPolicyEnvelope.self)
        guard !answer.escalationPolicy.escalationRules.isEmpty else {
            throw .unavailable("escalation policy \(id) has no escalation rules")
        }
        return answer.escalationPolicy
    }

    /// PagerDuty incidents do not say which escalation level they are at. The assignee's level is
    /// the first rule that targets them directly, else their level in `GET /oncalls` for the
    /// policy; level 1 when neither says.
    func currentEscalationLevel(
        of resource: IncidentResource, in policy: EscalationPolicyResource
    ) async throws(IncidentServiceError) -> Int {
        let assignees = Set((resource.assignments ?? []).map(\.assignee.id))
        guard !assignees.isEmpty else { return 1 }
        for (index, rule) in policy.escalationRules.enumerated()
        where (rule.targets ?? []).contains(where: { $0.type == "user_reference" && assignees.contains($0.id) }) {
            return index + 1
        }
        let oncalls = try await onCalls(filter: [.init("escalation_policy_ids[]", policy.id)], includeUsers: false)
        return oncalls.filter { assignees.contains($0.user.id) }.map(\.escalationLevel).min() ?? 1
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
