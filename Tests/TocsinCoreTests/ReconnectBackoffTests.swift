import Testing
import TocsinCore

@Suite struct ReconnectBackoffTests {
    @Test func backoffDoublesUpToTheMaximumWithJitter() {
        var backoff = ReconnectBackoff(minimum: .seconds(1), maximum: .seconds(60))
        var ceilings: [Duration] = []
        for _ in 0..<8 {
            ceilings.append(backoff.currentCeiling)
            let delay = backoff.next()
            #expect(delay <= ceilings.last!)
            #expect(delay >= ceilings.last! / 2)
        }
        #expect(ceilings == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32), .seconds(60), .seconds(60)])
        backoff.reset()
        #expect(backoff.currentCeiling == .seconds(1))
        #expect(backoff.longest() >= .seconds(30))
    }
}
