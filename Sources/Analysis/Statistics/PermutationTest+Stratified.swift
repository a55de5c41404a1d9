extension PermutationTest {
    /// One stratum (a task): the baseline values `x` and the condition values `y`.
    public struct Stratum: Sendable, Hashable {
        public var x: [Double]
        public var y: [Double]
        public init(x: [Double], y: [Double]) { self.x = x; self.y = y }
    }

    /// Stratified two-sided test of the mean over strata of mean(y) − mean(x): condition labels
    /// are permuted within each stratum only, so differences between tasks cannot look like an
    /// effect. With one value per side in every stratum this is the sign-flip test of the paired
    /// differences. Exact when the rearrangements are few, else Monte Carlo with +1.
    public static func stratified(
        _ strata: [Stratum], resamples: Int = 9_999, exactLimit: Int = defaultExactLimit, using rng: inout SeededRandom
    ) -> Result {
        let strata = strata.filter { !$0.x.isEmpty && !$0.y.isEmpty }
        precondition(!strata.isEmpty, "need a stratum with values on both sides")
        let k = Double(strata.count)
        func contribution(_ s: Stratum, ySum: Double, total: Double) -> Double {
            ySum / Double(s.y.count) - (total - ySum) / Double(s.x.count)
        }
        let totals = strata.map { ($0.x + $0.y).reduce(0, +) }
        let observed = zip(strata, totals).reduce(0) { $0 + contribution($1.0, ySum: $1.0.y.reduce(0, +), total: $1.1) } / k
        let bar = abs(observed) - tolerance(strata.flatMap { $0.x + $0.y })

        var count = 1
        var exact = true
        for s in strata {
            guard let c = combinations(s.x.count + s.y.count, s.y.count, limit: exactLimit), count <= exactLimit / c else { exact = false; break }
            count *= c
        }
        if exact {
            // Each stratum's possible contributions; the statistic is their sum over strata.
            let lists = zip(strata, totals).map { s, total in
                var out: [Double] = []
                forEachSubsetSum(s.x + s.y, size: s.y.count) { out.append(contribution(s, ySum: $0, total: total)) }
                return out
            }
            var hits = 0
            func walk(_ i: Int, _ sum: Double) {
                if i == lists.count { if abs(sum / k) >= bar { hits += 1 }; return }
                for c in lists[i] { walk(i + 1, sum + c) }
            }
            walk(0, 0)
            return Result(observed: observed, pValue: Double(hits) / Double(count), exact: true, resamples: count)
        }
        // One flat buffer, stratum after stratum (y values first), shuffled in place.
        var work = strata.flatMap { $0.y + $0.x }
        var starts: [Int] = [], offset = 0
        for s in strata { starts.append(offset); offset += s.x.count + s.y.count }
        let ny = strata.map { Double($0.y.count) }, nx = strata.map { Double($0.x.count) }
        let sizes = strata.map { $0.x.count + $0.y.count }, ys = strata.map(\.y.count)
        var hits = 0
        work.withUnsafeMutableBufferPointer { buffer in
            for _ in 0..<resamples {
                var sum = 0.0
                for j in 0..<starts.count {
                    let base = starts[j], size = sizes[j]
                    var ySum = 0.0
                    for i in 0..<ys[j] {
                        let r = i + rng.below(size - i)
                        buffer.swapAt(base + i, base + r)
                        ySum += buffer[base + i]
                    }
                    sum += ySum / ny[j] - (totals[j] - ySum) / nx[j]
                }
                if abs(sum / k) >= bar { hits += 1 }
            }
        }
        return Result(observed: observed, pValue: Double(hits + 1) / Double(resamples + 1), exact: false, resamples: resamples)
    }
}
