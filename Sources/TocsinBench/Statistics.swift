/// Order statistics of a set of durations, for p50/p99 reporting.
///
/// Percentiles use the nearest-rank method (the smallest sample with at least p % of the samples
/// at or below it), so p99 of 10 000 samples is the 9 900th smallest: no interpolation between
/// samples that were never observed.
struct DurationSummary: Sendable {
    let count: Int
    let p50: Duration
    let p90: Duration
    let p99: Duration
    let max: Duration
    let mean: Duration

    init(_ samples: [Duration]) {
        precondition(!samples.isEmpty, "no samples")
        let sorted = samples.sorted()
        func rank(_ p: Double) -> Duration {
            let index = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, index))]
        }
        count = sorted.count
        p50 = rank(50)
        p90 = rank(90)
        p99 = rank(99)
        max = sorted[sorted.count - 1]
        mean = sorted.reduce(Duration.zero, +) / sorted.count
    }

    /// Microseconds, for JSON and tables.
    func json() -> [String: JSONValue] {
        [
            "count": .number(Double(count)),
            "p50_us": .number(p50.microseconds), "p90_us": .number(p90.microseconds),
            "p99_us": .number(p99.microseconds), "max_us": .number(max.microseconds),
            "mean_us": .number(mean.microseconds),
        ]
    }
}

extension Duration {
    var microseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1_000_000 + Double(attoseconds) / 1_000_000_000_000
    }

    var seconds: Double { microseconds / 1_000_000 }
}
