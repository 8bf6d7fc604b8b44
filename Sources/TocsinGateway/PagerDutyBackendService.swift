import Logging
import PagerDuty
import ServiceLifecycle

/// The PagerDuty backend's lifetime in the service group: at start it lists the open incidents
/// once, so their numbers and ids are known before anyone types `!ack` (one `PUT` per known
/// incident instead of a `GET` and a `PUT`); at stop it ends the circuit breaker's probe and
/// shuts the backend's own HTTP client down (AsyncHTTPClient requires `shutdown()` before a client
/// is released).
///
/// It is the first runtime service, so the group stops it after the chat connections and the
/// dispatcher: no command is left to use the client.
struct PagerDutyBackendService: Service {
    let service: PagerDutyService
    let httpClient: PagerDutyHTTPClient
    let logger: Logger
    /// How many open incidents are listed at start (newest first).
    var learnAtStart = 1_000

    func run() async throws {
        let learning = Task { [service, logger, learnAtStart] in
            do {
                let count = try await service.learnOpenIncidents(upTo: learnAtStart)
                logger.info("PagerDuty open incidents learned", metadata: ["count": "\(count)"])
            } catch {
                logger.notice("PagerDuty open incidents not listed at start; unknown numbers are read first",
                              metadata: ["error": "\(error)"])
            }
        }
        try? await gracefulShutdown()
        learning.cancel()
        service.stopProbing()
        await httpClient.shutdown()
    }
}
