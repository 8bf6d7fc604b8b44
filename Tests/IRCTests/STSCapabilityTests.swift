import IRC
import Testing

@Suite struct STSCapabilityTests {
    @Test func readsPortDurationAndPreload() {
        #expect(STSCapability(value: "port=6697,duration=2592000,preload")
            == STSCapability(port: 6697, durationSeconds: 2_592_000, preload: true))
    }

    @Test func ignoresUnknownKeysAndInvalidValues() {
        #expect(STSCapability(value: "future=1,port=0,duration=-5") == STSCapability())
        #expect(STSCapability(value: "port=abc,duration=1e3") == STSCapability())
        #expect(STSCapability(value: "") == STSCapability())
    }

    @Test func clampsAbsurdDurationsInsteadOfOverflowing() {
        #expect(STSCapability(value: "duration=99999999999999999999999").durationSeconds == 3_153_600_000)
    }
}
