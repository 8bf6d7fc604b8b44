import Foundation
import TocsinCore

/// The reads behind issue 12's output on PagerDuty (REST API v2, documented parameters only):
///
/// - `GET /incidents` with `statuses[]`, `user_ids[]` ("incidents currently assigned to the
///   passed user(s)"), `sort_by=created_at:desc`, `date_range=all` and `total=true` (classic
///   pagination returns `total` only when asked) — `!incidents`, `!incidents mine`, `!ack` alone;
/// - `GET /incidents/{id}`'s `acknowledgements` (`at`, `acknowledger`) and
///   `last_status_change_at`/`last_status_change_by` — "already acknowledged by bob 5 m ago".
extension PagerDutyService: IncidentQueries {
    public func incidents(in statuses: Set<IncidentStatus>, assignedTo assignee: Actor?, limit: Int) async throws -> OpenIncidentList {
        let pageSize = min(max(1, limit), Self.pageLimit)
        var query: [APIRequest.QueryItem] = statuses.map(\.rawValue).sorted().map { .init("statuses[]", $0) }
        if let assignee {
            let user = try await findUser(assignee.email)
            query.append(.init("user_ids[]", user.id))
        }
        query += [.init("sort_by", "created_at:desc"), .init("date_range", "all"), .init("limit", String(pageSize)),
                  .init("offset", "0"), .init("total", "true")]
        let page = try await client.send(APIRequest(.get, "/incidents", query: query), expecting: CountedIncidentList.self)
        let incidents = try page.incidents.prefix(pageSize).map { resource throws(IncidentServiceError) in try mapping.incident(resource) }
        return OpenIncidentList(incidents: incidents, total: page.total, more: page.more ?? false)
    }

    /// One `GET /incidents/{id}` when the id is known (as it is right after the command that
    /// found the incident unchanged); the number is looked up first only when it is not, or when
    /// the known id answers 404 or names another incident.
    public func lastChange(of number: Int, to status: IncidentStatus) async throws -> IncidentChangeRecord? {
        var found: StatusChangeEnvelope.Fields?
        if let id = cachedIncidentID(number) {
            do {
                let answer = try await client.send(
                    APIRequest(.get, APIRequest.path("incidents", id), incidentNumber: number), expecting: StatusChangeEnvelope.self)
                if answer.incident.incidentNumber == number { found = answer.incident }
            } catch {
                guard case .rejected(404, _) = error else { throw error }
            }
        }
        if found == nil {
            let resource = try await incidentResource(number)
            found = try await client.send(
                APIRequest(.get, APIRequest.path("incidents", resource.id), incidentNumber: number),
                expecting: StatusChangeEnvelope.self).incident
        }
        guard let incident = found else { return nil }
        if status == .acknowledged, let latest = (incident.acknowledgements ?? []).compactMap({ ack -> IncidentChangeRecord? in
            guard let at = PagerDutyDate.parse(ack.at) else { return nil }
            return IncidentChangeRecord(actor: ack.acknowledger?.summary, at: at)
        }).max(by: { $0.at < $1.at }) {
            return latest
        }
        guard incident.status == status.rawValue, let at = incident.lastStatusChangeAt.flatMap(PagerDutyDate.parse) else { return nil }
        return IncidentChangeRecord(actor: incident.lastStatusChangeBy?.summary, at: at)
    }
}

/// `GET /incidents` with `total=true`.
struct CountedIncidentList: Decodable, Sendable {
    var incidents: [IncidentResource]
    var more: Bool?
    var total: Int?
}

/// The fields of `GET /incidents/{id}` that say who changed its status and when.
struct StatusChangeEnvelope: Decodable, Sendable {
    struct Acknowledgement: Decodable, Sendable {
        var at: String
        var acknowledger: ResourceReference?
    }

    struct Fields: Decodable, Sendable {
        var incidentNumber: Int?
        var status: String
        var acknowledgements: [Acknowledgement]?
        var lastStatusChangeAt: String?
        var lastStatusChangeBy: ResourceReference?

        enum CodingKeys: String, CodingKey {
            case status, acknowledgements
            case incidentNumber = "incident_number"
            case lastStatusChangeAt = "last_status_change_at"
            case lastStatusChangeBy = "last_status_change_by"
        }
    }

    var incident: Fields
}
