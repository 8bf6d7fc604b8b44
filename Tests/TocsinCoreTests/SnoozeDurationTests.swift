import Testing
import TocsinCore

@Suite struct SnoozeDurationTests {
    @Test(arguments: [
        ("30m", 1800), ("2h", 7200), ("1h30m", 5400), ("90s", 90), ("1d", 86400), ("2H", 7200),
        ("1d2h3m4s", 93784), ("168h", 604_800), ("7d", 604_800), ("45s", 45), ("1h0m", 3600),
    ])
    func humanDurationsParse(_ text: String, _ seconds: Int) {
        #expect(SnoozeDuration.seconds(from: text) == seconds)
    }

    @Test(arguments: ["30", "0m", "0h0m", "8d", "7d1s", "169h", "1x", "m", "", "h30", "30m5", "-5m", "1.5h",
                      "1234567s", "３0m", "30 m", "30min", "1w"])
    func ambiguousOrOutOfRangeDurationsAreRefused(_ text: String) {
        #expect(SnoozeDuration.seconds(from: text) == nil)
    }

    @Test func aWeekIsTheLongestSnooze() {
        #expect(SnoozeDuration.maximumSeconds == 604_800)
        #expect(SnoozeDuration.seconds(from: "\(SnoozeDuration.maximumSeconds)s") == SnoozeDuration.maximumSeconds)
        #expect(SnoozeDuration.seconds(from: "\(SnoozeDuration.maximumSeconds + 1)s") == nil)
    }

    @Test(arguments: [(5400, "1h30m"), (90, "1m30s"), (86400, "1d"), (604_800, "7d"), (0, "0s"), (3600, "1h"),
                      (93784, "1d2h3m4s"), (59, "59s"), (86401, "1d1s")])
    func formatUsesTheLargestUnitsFirst(_ seconds: Int, _ text: String) {
        #expect(SnoozeDuration.format(seconds: seconds) == text)
    }

    @Test func formatThenParseGivesTheSameSeconds() {
        for seconds in stride(from: 1, through: SnoozeDuration.maximumSeconds, by: 997) {
            #expect(SnoozeDuration.seconds(from: SnoozeDuration.format(seconds: seconds)) == seconds)
        }
    }
}
