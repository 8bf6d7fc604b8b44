import Logging
import ServiceLifecycle

/// Periodic housekeeping (snooze expiry, purging old delivered outbox rows) as one lifecycle
/// service; a failing task is logged and tried again next period, never takes the gateway down.
struct MaintenanceService: Service {
    struct Task: Sendable {
        var name: String
        var every: Duration
        var work: @Sendable () async throws -> Void

        init(name: String, every: Duration, work: @escaping @Sendable () async throws -> Void) {
            self.name = name
            self.every = every
            self.work = work
        }
    }

    var tasks: [Task]
    var logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for task in tasks {
                    group.addTask {
                        while (try? await _Concurrency.Task.sleep(for: task.every)) != nil {
                            do {
                                try await task.work()
                            } catch {
                                logger.warning("maintenance failed", metadata: ["task": "\(task.name)", "error": "\(error)"])
                            }
                        }
                    }
                }
            }
        }
    }
}
