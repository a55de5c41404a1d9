extension Bootstrap {
    /// Interval for the mean over strata of mean(y) − mean(x). With one value per side in every
    /// stratum the strata (tasks) are resampled — the paired bootstrap; otherwise each side of
    /// each stratum is resampled within itself, treating the tasks as fixed.
    public static func stratifiedDifference(
        _ strata: [PermutationTest.Stratum], level: Double = 0.95, resamples: Int = 4_999, using rng: inout SeededRandom
    ) -> Interval {
        let strata = strata.filter { !$0.x.isEmpty && !$0.y.isEmpty }
        precondition(!strata.isEmpty, "need a stratum with values on both sides")
        if strata.allSatisfy({ $0.x.count == 1 && $0.y.count == 1 }) {
            return meanOfDifferences(strata.map { $0.y[0] - $0.x[0] }, level: level, resamples: resamples, using: &rng)
        }
        var stats = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            var sum = 0.0
            for s in strata { sum += resampledMean(s.y, &rng) - resampledMean(s.x, &rng) }
            stats[r] = sum / Double(strata.count)
        }
        return percentile(stats, level: level)
    }
}
