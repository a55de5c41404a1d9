/// Two-sided permutation tests for a difference of means: exact when the number of
/// rearrangements is small, otherwise Monte Carlo with the +1 correction (Phipson & Smyth 2010),
/// so a p-value is never 0 and the test keeps its level.
public enum PermutationTest {
    /// The outcome of one test.
    public struct Result: Sendable, Hashable {
        /// The observed statistic: mean(x) − mean(y), or the mean paired difference.
        public var observed: Double
        public var pValue: Double
        /// True when every rearrangement was enumerated.
        public var exact: Bool
        /// Rearrangements counted (all of them when exact).
        public var resamples: Int
    }

    /// Largest number of rearrangements enumerated exactly.
    public static let defaultExactLimit = 20_000

    /// Independent samples: labels are shuffled between `x` and `y`; the statistic is |mean(x) − mean(y)|.
    public static func independent(
        _ x: [Double], _ y: [Double], resamples: Int = 9_999, exactLimit: Int = defaultExactLimit,
        using rng: inout SeededRandom
    ) -> Result {
        precondition(!x.isEmpty && !y.isEmpty, "both samples need at least one value")
        let pooled = x + y, n1 = x.count, n2 = y.count
        let total = pooled.reduce(0, +)
        // mean(x) − mean(y) depends only on the sum of the values labelled x.
        func statistic(_ sum1: Double) -> Double { sum1 / Double(n1) - (total - sum1) / Double(n2) }
        let observed = statistic(x.reduce(0, +))
        let bar = abs(observed) - tolerance(pooled)
        if let count = combinations(pooled.count, n1, limit: exactLimit) {
            var hits = 0
            forEachSubsetSum(pooled, size: n1) { sum in if abs(statistic(sum)) >= bar { hits += 1 } }
            return Result(observed: observed, pValue: Double(hits) / Double(count), exact: true, resamples: count)
        }
        var work = pooled, hits = 0
        for _ in 0..<resamples {
            var sum = 0.0
            for i in 0..<n1 {  // partial Fisher–Yates: the first n1 slots are a uniform random subset
                let j = i + rng.below(work.count - i)
                work.swapAt(i, j)
                sum += work[i]
            }
            if abs(statistic(sum)) >= bar { hits += 1 }
        }
        return Result(observed: observed, pValue: Double(hits + 1) / Double(resamples + 1), exact: false, resamples: resamples)
    }

    /// Paired samples (one difference per task): signs of the differences are flipped at random;
    /// the statistic is |mean(differences)|.
    public static func paired(
        differences d: [Double], resamples: Int = 9_999, exactLimit: Int = defaultExactLimit,
        using rng: inout SeededRandom
    ) -> Result {
        precondition(!d.isEmpty, "need at least one paired difference")
        let n = Double(d.count)
        let observed = d.reduce(0, +) / n
        let bar = abs(observed) - tolerance(d)
        if d.count < 62, (1 << d.count) <= exactLimit {
            let count = 1 << d.count
            var hits = 0
            for mask in 0..<count {
                var sum = 0.0
                for (i, v) in d.enumerated() { sum += (mask >> i) & 1 == 1 ? -v : v }
                if abs(sum / n) >= bar { hits += 1 }
            }
            return Result(observed: observed, pValue: Double(hits) / Double(count), exact: true, resamples: count)
        }
        var hits = 0
        for _ in 0..<resamples {
            var sum = 0.0, bits = rng.next(), used = 0
            for v in d {
                if used == 64 { bits = rng.next(); used = 0 }
                sum += bits & 1 == 1 ? -v : v
                bits >>= 1; used += 1
            }
            if abs(sum / n) >= bar { hits += 1 }
        }
        return Result(observed: observed, pValue: Double(hits + 1) / Double(resamples + 1), exact: false, resamples: resamples)
    }

    /// Slack for "as extreme as observed" so that rearrangements equal in exact arithmetic count.
    static func tolerance(_ values: [Double]) -> Double {
        1e-9 * max(1, values.reduce(0) { max($0, abs($1)) })
    }

    /// C(n, k) when it is at most `limit`, else nil.
    static func combinations(_ n: Int, _ k: Int, limit: Int) -> Int? {
        let k = min(k, n - k)
        var c = 1
        for i in 0..<k {
            c = c * (n - i) / (i + 1)  // exact: the running product is always a binomial coefficient
            if c > limit { return nil }
        }
        return c
    }

    /// Calls `body` with the sum of every `size`-element subset of `values`.
    static func forEachSubsetSum(_ values: [Double], size: Int, _ body: (Double) -> Void) {
        func walk(_ start: Int, _ left: Int, _ sum: Double) {
            if left == 0 { body(sum); return }
            var i = start
            while i <= values.count - left {
                walk(i + 1, left - 1, sum + values[i])
                i += 1
            }
        }
        walk(0, size, 0)
    }
}
