import ChatConnection
import NIOCore
import NIOEmbedded
import TocsinCore
import XCTest

final class DeliveryWaitersTests: XCTestCase {
    func testAResultForAnAlreadyResolvedTicketIsNotKept() {
        let waiters = DeliveryWaiters()
        let ticket = waiters.issue()!
        waiters.resolve(ticket, .failure(CancellationError()))  // early: kept for the waiter
        XCTAssertEqual(waiters.outstandingCount, 1)
        let expectation = expectation(description: "resumed")
        Task {
            try? await withCheckedThrowingContinuation { continuation in
                waiters.register(ticket, continuation, ifUnknown: TransportError.notConnected(network: "n"))
            }
            expectation.fulfill()
        }
        wait(for: [expectation], timeout: 5)
        // The loop's late confirmation of the cancelled delivery must not be stored forever.
        waiters.resolve(ticket, .success(()))
        XCTAssertEqual(waiters.outstandingCount, 0)
    }

    func testIssuingStopsAtTheCapacity() {
        let waiters = DeliveryWaiters(capacity: 2)
        XCTAssertNotNil(waiters.issue())
        XCTAssertNotNil(waiters.issue())
        XCTAssertNil(waiters.issue())
    }

    func testAResolvedWaiterReturnsAndFailAllReleasesEveryWaiter() async {
        let waiters = DeliveryWaiters()
        let confirmed = waiters.issue()!
        try? await waiters.wait(for: confirmed, ifUnknown: TransportError.notConnected(network: "n"), submit: {
            waiters.resolve(confirmed, .success(()))
        }, onCancel: {})
        let tickets = (0..<3).map { _ in waiters.issue()! }
        await withTaskGroup(of: Bool.self) { group in
            for ticket in tickets {
                group.addTask {
                    do {
                        try await waiters.wait(for: ticket, ifUnknown: TransportError.timedOut(network: "n"), submit: {}, onCancel: {})
                        return false
                    } catch {
                        return error as? TransportError == .notConnected(network: "n")
                    }
                }
            }
            while waiters.waitingCount < tickets.count { await Task.yield() }
            waiters.failAll(TransportError.notConnected(network: "n"))
            for await released in group { XCTAssertTrue(released) }
        }
        XCTAssertEqual(waiters.outstandingCount, 0)
    }

    func testFailAllReachesAWaiterThatRegistersLater() async {
        let waiters = DeliveryWaiters()
        let ticket = waiters.issue()!
        waiters.failAll(TransportError.notConnected(network: "n"))
        do {
            try await waiters.wait(for: ticket, ifUnknown: TransportError.notConnected(network: "n"), submit: {}, onCancel: {})
            XCTFail("expected a failure")
        } catch {
            XCTAssertEqual(error as? TransportError, .notConnected(network: "n"))
        }
        XCTAssertEqual(waiters.outstandingCount, 0)
    }
}

final class DeadlineTimerTests: XCTestCase {
    func testFiresOnceAtTheEarliestDeadlineAndNotAgainWhenIdle() async throws {
        let fired = FireCounter()
        let timer = DeadlineTimer { fired.increment() }
        timer.schedule(.now + .milliseconds(300))
        timer.schedule(.now + .milliseconds(50))   // earlier: replaces
        timer.schedule(.now + .seconds(10))        // later: the armed one is kept
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(fired.value, 1)
        XCTAssertNil(timer.armedDeadline)
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(fired.value, 1, "nothing armed, nothing fires")
        timer.stop()
    }

    func testStopDisarms() async throws {
        let fired = FireCounter()
        let timer = DeadlineTimer { fired.increment() }
        timer.schedule(.now + .milliseconds(50))
        timer.stop()
        try await Task.sleep(for: .milliseconds(150))
        XCTAssertEqual(fired.value, 0)
    }
}

final class ShutdownSignalTests: XCTestCase {
    func testSleepReturnsAtOnceWhenTriggered() async {
        let signal = ShutdownSignal()
        let started = ContinuousClock.now
        Task { try? await Task.sleep(for: .milliseconds(50)); signal.trigger() }
        await signal.sleep(for: .seconds(30))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        XCTAssertTrue(signal.isTriggered)
    }
}

final class ReconnectScheduleTests: XCTestCase {
    func testBackoffStartsOverOnlyAfterAStableSession() {
        var schedule = ReconnectSchedule(minimum: .seconds(1), maximum: .seconds(64), stableAfter: .seconds(60))
        let now = ContinuousClock.now
        for _ in 0..<4 { _ = schedule.delay(.backoff, readySince: nil, now: now) }
        XCTAssertEqual(schedule.backoff.attempts, 4)
        _ = schedule.delay(.backoff, readySince: now - .seconds(5), now: now)
        XCTAssertEqual(schedule.backoff.attempts, 5, "a session dropped after 5 s does not reset")
        _ = schedule.delay(.backoff, readySince: now - .seconds(61), now: now)
        XCTAssertEqual(schedule.backoff.attempts, 1)
    }
}

final class TLSClientSettingsTests: XCTestCase {
    func testAnIPAddressIsNotSentAsServerName() {
        XCTAssertNil(TLSClientSettings(host: "127.0.0.1").serverHostname)
        XCTAssertEqual(TLSClientSettings(host: "127.0.0.1", serverName: "irc.example").serverHostname, "irc.example")
        XCTAssertEqual(TLSClientSettings(host: "chat.example").serverHostname, "chat.example")
    }

    func testAMissingCAFileIsNamedInTheError() {
        let settings = TLSClientSettings(host: "x", caFile: "/nonexistent/ca.pem")
        XCTAssertThrowsError(try settings.makeContext()) { error in
            XCTAssertTrue("\(error)".contains("tls.ca_file"), "\(error)")
        }
    }
}

final class ReadPausingHandlerTests: XCTestCase {
    func testReadsAreHeldWhileTheConsumerIsBehindAndResumeWhenItCatchesUp() throws {
        let credit = InboundCredit(highWater: 2, lowWater: 0)
        let counter = ReadCounter()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(ReadPausingHandler(credit: credit))
        channel.read()
        XCTAssertEqual(counter.reads, 1)
        credit.produced(2)
        channel.read()
        XCTAssertEqual(counter.reads, 1, "held at the high-water mark")
        credit.consumed(1)
        channel.embeddedEventLoop.run()
        XCTAssertEqual(counter.reads, 1, "not yet at the low-water mark")
        credit.consumed(1)
        channel.embeddedEventLoop.run()
        XCTAssertEqual(counter.reads, 2, "the held read goes through")
        _ = try channel.finish()
    }
}

private final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny
    var reads = 0
    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

private final class FireCounter: @unchecked Sendable {
    private let lock = NSLockLike()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

import Synchronization
private final class NSLockLike: Sendable {
    private let mutex = Mutex(())
    func withLock<T>(_ body: () -> T) -> T { mutex.withLock { _ in body() } }
}
