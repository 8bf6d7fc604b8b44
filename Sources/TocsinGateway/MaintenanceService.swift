import Logging
import ServiceLifecycle

/// Housekeeping as one lifecycle service: periodic tasks (purging old delivered outbox rows,
/// hourly) and deadline-driven ones (snooze expiry, ``DeadlineMaintenance``: no timer while
/// nothing is pending). A failing task is logged and tried again later, never takes the gateway down.
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
    var deadlineTasks: [DeadlineMaintenance] = []
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
                for task in deadlineTasks {
                    group.addTask { await task.run(logger: logger) }
                }
            }
        }
    }
}
