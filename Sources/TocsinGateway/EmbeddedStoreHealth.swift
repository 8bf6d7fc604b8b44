import TocsinCore

/// The embedded store as the `/readyz` incident API component: the local database answering, and
/// how many incidents are open (a local count, so `/metrics` can publish it on every scrape).
struct EmbeddedStoreHealth: HealthSource {
    var service: any IncidentService
    /// Counted up to this many; more reads as this number.
    var countLimit = 1_000

    func health() async -> [ComponentHealth] {
        do {
            let page = try await service.openIncidents(limit: countLimit)
            return [ComponentHealth(component: "embedded", status: .ok,
                                    detail: "\(page.incidents.count)\(page.more ? "+" : "") open incidents",
                                    kind: .incidentAPI, openIncidents: page.incidents.count)]
        } catch {
            return [ComponentHealth(component: "embedded", status: .down,
                                    detail: "the incident store cannot be read (check gateway.database): \(error)",
                                    kind: .incidentAPI)]
        }
    }
}
