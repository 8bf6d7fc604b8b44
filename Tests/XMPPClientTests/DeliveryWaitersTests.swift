import Testing
import TocsinCore
@testable import XMPPClient

@Suite struct DeliveryWaitersTests {
    @Test func resolvedWaiterReturns() async throws {
        let waiters = DeliveryWaiters()
        let token = waiters.makeToken()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            waiters.register(token, continuation)
            waiters.resolve(token, .success(()))
        }
    }

    @Test func resultBeforeRegistrationIsNotLost() async {
        let waiters = DeliveryWaiters()
        let token = waiters.makeToken()
        waiters.resolve(token, .failure(TransportError.timedOut(network: "n")))
        await #expect(throws: TransportError.timedOut(network: "n")) {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                waiters.register(token, continuation)
            }
        }
    }

    @Test func failAllReleasesEveryWaiter() async {
        let waiters = DeliveryWaiters()
        let tokens = (0..<3).map { _ in waiters.makeToken() }
        #expect(Set(tokens).count == 3)
        await withTaskGroup(of: Bool.self) { group in
            for token in tokens {
                group.addTask {
                    do {
                        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                            waiters.register(token, continuation)
                        }
                        return false
                    } catch {
                        return error as? TransportError == .notConnected(network: "n")
                    }
                }
            }
            while waiters.waitingCount < tokens.count { await Task.yield() }
            waiters.failAll(TransportError.notConnected(network: "n"))
            for await released in group { #expect(released) }
        }
    }
}
