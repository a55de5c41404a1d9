/// Percentile bootstrap intervals for a difference of means (Efron & Tibshirani 1993, §13.3).
public enum Bootstrap {
    /// Independent samples: `x` and `y` are resampled separately; the interval is for mean(x) − mean(y).
    public static func differenceOfMeans(
        _ x: [Double], _ y: [Double], level: Double = 0.95, resamples: Int = 4_999, using rng: inout SeededRandom
    ) -> Interval {
        precondition(!x.isEmpty && !y.isEmpty, "both samples need at least one value")
        var stats = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples { stats[r] = resampledMean(x, &rng) - resampledMean(y, &rng) }
        return percentile(stats, level: level)
    }

    /// Paired samples: the per-task differences are resampled; the interval is for their mean.
    public static func meanOfDifferences(
        _ d: [Double], level: Double = 0.95, resamples: Int = 4_999, using rng: inout SeededRandom
    ) -> Interval {
        precondition(!d.isEmpty, "need at least one paired difference")
        var stats = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples { stats[r] = resampledMean(d, &rng) }
        return percentile(stats, level: level)
    }

    static func resampledMean(_ v: [Double], _ rng: inout SeededRandom) -> Double {
        var sum = 0.0
        for _ in 0..<v.count { sum += v[rng.below(v.count)] }
        return sum / Double(v.count)
    }

    static func percentile(_ stats: [Double], level: Double) -> Interval {
        let sorted = stats.sorted()
        let alpha = 1 - level
        return Interval(lower: Descriptive.quantile(sorted: sorted, alpha / 2),
                        upper: Descriptive.quantile(sorted: sorted, 1 - alpha / 2), level: level)
    }
}
