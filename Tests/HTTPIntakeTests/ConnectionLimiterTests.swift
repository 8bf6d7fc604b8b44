@testable import HTTPIntake
import Testing

/// The counts behind the per-address and total connection caps (slow-loris defence).
@Suite struct ConnectionLimiterTests {
    @Test func oneAddressIsHeldToItsCapWhileAnotherIsStillAdmitted() {
        let limiter = ConnectionLimiter(maxPerAddress: 2, maxTotal: 10)
        #expect(limiter.admit("127.0.0.2") == .admitted)
        #expect(limiter.admit("127.0.0.2") == .admitted)
        #expect(limiter.admit("127.0.0.2") == .tooManyFromAddress)
        #expect(limiter.admit("127.0.0.1") == .admitted)
        #expect(limiter.openConnections == 3)
    }

    @Test func theTotalCapHoldsAcrossAddresses() {
        let limiter = ConnectionLimiter(maxPerAddress: 5, maxTotal: 3)
        for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] { #expect(limiter.admit(address) == .admitted) }
        #expect(limiter.admit("10.0.0.4") == .tooManyInTotal)
    }

    @Test func aClosedConnectionMakesRoomAgainAndRefusalsAreNotCounted() {
        let limiter = ConnectionLimiter(maxPerAddress: 1, maxTotal: 10)
        #expect(limiter.admit("127.0.0.2") == .admitted)
        #expect(limiter.admit("127.0.0.2") == .tooManyFromAddress)
        limiter.release("127.0.0.2")
        #expect(limiter.openConnections == 0)
        #expect(limiter.admit("127.0.0.2") == .admitted)
    }

    @Test func refusalsAreReportedAtMostOncePerInterval() {
        let limiter = ConnectionLimiter(maxPerAddress: 1, maxTotal: 10)
        _ = limiter.admit("a")
        for _ in 0..<5 { _ = limiter.admit("a") }
        let start = ContinuousClock.now
        #expect(limiter.refusalsToReport(every: .seconds(60), now: start) == 5)
        _ = limiter.admit("a")
        #expect(limiter.refusalsToReport(every: .seconds(60), now: start.advanced(by: .seconds(1))) == nil)
        #expect(limiter.refusalsToReport(every: .seconds(60), now: start.advanced(by: .seconds(61))) == 1)
    }

    @Test func theTotalCapIsFittedUnderTheDescriptorLimit() {
        let limits = IntakeLimits(maxConnectionsPerAddress: 64, maxConnections: 512)
        #expect(limits.fitted(toDescriptorLimit: 4096).maxConnections == 512)
        #expect(limits.fitted(toDescriptorLimit: 256).maxConnections == 128)
        #expect(limits.fitted(toDescriptorLimit: 256).maxConnectionsPerAddress == 64)
        #expect(limits.fitted(toDescriptorLimit: nil) == limits)
    }
}
