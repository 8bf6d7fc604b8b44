import Synchronization

/// How many commands a network may run at once, how many may wait, and when a slow one says so.
public struct CommandSchedulerLimits: Sendable, Hashable {
    /// Commands running at the same time on one network (each in its own task).
    public var maximumInFlight: Int
    /// Commands waiting on one network (behind the bound, or behind the same person's earlier
    /// command) before new ones are refused with one line.
    public var maximumQueued: Int
    /// A command still running after this long gets one "working on it" line before its answer.
    public var workingNoticeAfter: Duration

    /// 32: twenty people acting on one incident wave at once each get a slot (issue 11's target,
    /// docs/benchmarks.md part 7), with room to spare; still a bound — the rest wait in the queue.
    public static let defaultMaximumInFlight = 32
    public static let defaultMaximumQueued = 256
    public static let defaultWorkingNoticeAfter: Duration = .seconds(3)

    public init(maximumInFlight: Int = defaultMaximumInFlight, maximumQueued: Int = defaultMaximumQueued,
                workingNoticeAfter: Duration = defaultWorkingNoticeAfter) {
        self.maximumInFlight = max(1, maximumInFlight)
        self.maximumQueued = max(0, maximumQueued)
        self.workingNoticeAfter = workingNoticeAfter
    }
}

/// Runs chat commands concurrently, isolated from each other (issue 11, item 1).
///
/// Before, a transport awaited each command before reading the next line, so one slow incident API
/// call (up to 15 s plus retries) held back every later command on that network. Now
/// ``submit(network:person:_:)`` only enqueues and returns at once, and:
///
/// - each command runs in its own task, at most ``CommandSchedulerLimits/maximumInFlight`` per network;
/// - one person's commands (keyed by verified identity, else network and nick) run one after the
///   other, in the order they were typed — `!ack 5` then `!resolve 5` never swap — and take one
///   slot between them, so a person waiting on a slow call never blocks anyone else;
/// - beyond the bound, commands wait in arrival order (people take turns) up to
///   ``CommandSchedulerLimits/maximumQueued`` per network; past that, ``submit(network:person:_:)``
///   returns `false` and the caller refuses the command with one line (overflow policy: refuse new).
///
/// Announcements never pass through here, so no command can delay one.
public final class CommandScheduler: Sendable {
    public typealias Job = @Sendable () async -> Void

    public let limits: CommandSchedulerLimits
    private let state = Mutex(State())

    private struct NetworkState {
        /// Slots in use (people whose chain is running).
        var running = 0
        /// Jobs accepted but not started, over all people.
        var queued = 0
        /// People with an active chain: their not-yet-started jobs, oldest first. Present (maybe
        /// empty) while one of their jobs runs or waits.
        var chains: [String: [Job]] = [:]
        /// People with waiting jobs and no slot, in turn order.
        var ready: [String] = []
    }

    private struct State {
        var networks: [String: NetworkState] = [:]
    }

    public init(limits: CommandSchedulerLimits = CommandSchedulerLimits()) {
        self.limits = limits
    }

    /// Accepts `job` for `person` on `network` and returns immediately. Returns `false` (and drops
    /// the job) when the network already has ``CommandSchedulerLimits/maximumQueued`` waiting.
    @discardableResult
    public func submit(network: String, person: String, _ job: @escaping Job) -> Bool {
        enum Admission { case refused, queued, start(Job) }
        let admission = state.withLock { state -> Admission in
            var net = state.networks[network] ?? NetworkState()
            defer { state.networks[network] = net }
            if net.chains[person] != nil {
                // Behind the same person's earlier command: order kept, no extra slot.
                guard net.queued < limits.maximumQueued else { return .refused }
                net.chains[person]?.append(job)
                net.queued += 1
                return .queued
            }
            if net.running < limits.maximumInFlight {
                net.chains[person] = []
                net.running += 1
                return .start(job)
            }
            guard net.queued < limits.maximumQueued else { return .refused }
            net.chains[person] = [job]
            net.ready.append(person)
            net.queued += 1
            return .queued
        }
        switch admission {
        case .refused: return false
        case .queued: return true
        case .start(let job):
            Task { await self.work(network: network, person: person, first: job) }
            return true
        }
    }

    /// Commands running and waiting on `network` (for tests and metrics).
    public func load(network: String) -> (running: Int, queued: Int) {
        state.withLock { state in
            let net = state.networks[network] ?? NetworkState()
            return (net.running, net.queued)
        }
    }

    /// One slot: runs jobs until none waits for it. After each job the slot goes to the next person
    /// in turn when someone waits, so one busy person cannot keep it.
    private func work(network: String, person: String, first: @escaping Job) async {
        var current: (person: String, job: Job)? = (person, first)
        while let (owner, job) = current {
            await job()
            current = state.withLock { state -> (String, Job)? in
                guard var net = state.networks[network] else { return nil }
                defer { state.networks[network] = net.running == 0 && net.chains.isEmpty ? nil : net }
                if let more = net.chains[owner], !more.isEmpty {
                    if net.ready.isEmpty {
                        net.chains[owner]?.removeFirst()
                        net.queued -= 1
                        return (owner, more[0])
                    }
                    net.ready.append(owner)
                } else {
                    net.chains[owner] = nil
                }
                guard !net.ready.isEmpty else {
                    net.running -= 1
                    return nil
                }
                let next = net.ready.removeFirst()
                let job = net.chains[next]!.removeFirst()
                net.queued -= 1
                return (next, job)
            }
        }
    }
}
