import Foundation

/// Intervals and exact tests for binomial proportions (rates such as "share of sessions with a
/// one-way-door action").
public enum Proportions {
    /// Wilson score interval for `successes` out of `trials` (Wilson 1927); [0, 1] when trials is 0.
    public static func wilson(successes: Int, trials: Int, level: Double = 0.95) -> Interval {
        precondition(successes >= 0 && successes <= trials, "need 0 ≤ successes ≤ trials")
        guard trials > 0 else { return Interval(lower: 0, upper: 1, level: level) }
        let n = Double(trials), p = Double(successes) / n, z = Normal.twoSidedCritical(level: level)
        let z2 = z * z
        let denominator = 2 * (n + z2)
        let center = (2 * n * p + z2) / denominator
        let half = z * (z2 + 4 * n * p * (1 - p)).squareRoot() / denominator
        // The closed forms are exact at the edges; clamping only removes rounding dust.
        let lower = successes == 0 ? 0 : max(0, center - half)
        let upper = successes == trials ? 1 : min(1, center + half)
        return Interval(lower: lower, upper: upper, level: level)
    }

    /// Newcombe's hybrid score interval (1998, method 10) for the difference p1 − p2 of two
    /// independent proportions, built from the two Wilson intervals.
    public static func newcombe(successes1: Int, trials1: Int, successes2: Int, trials2: Int, level: Double = 0.95) -> Interval {
        let a = wilson(successes: successes1, trials: trials1, level: level)
        let b = wilson(successes: successes2, trials: trials2, level: level)
        let p1 = trials1 > 0 ? Double(successes1) / Double(trials1) : 0
        let p2 = trials2 > 0 ? Double(successes2) / Double(trials2) : 0
        let d = p1 - p2
        let lower = d - ((p1 - a.lower) * (p1 - a.lower) + (b.upper - p2) * (b.upper - p2)).squareRoot()
        let upper = d + ((a.upper - p1) * (a.upper - p1) + (p2 - b.lower) * (p2 - b.lower)).squareRoot()
        return Interval(lower: max(-1, lower), upper: min(1, upper), level: level)
    }

    /// Two-sided Fisher exact p-value for the 2×2 table [[a, b], [c, d]] (rows: groups, columns:
    /// event / no event): the total probability, given the margins, of every table no more likely
    /// than the observed one. A relative tolerance of 1e-7 keeps tables that tie in exact
    /// arithmetic from being dropped by rounding, as R and SciPy do.
    public static func fisherExact(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Double {
        precondition(a >= 0 && b >= 0 && c >= 0 && d >= 0, "table cells must be non-negative")
        let row1 = a + b, col1 = a + c, total = a + b + c + d
        guard total > 0 else { return 1 }
        let lo = max(0, col1 - (total - row1)), hi = min(row1, col1)
        let constant = logChoose(row1 + (total - row1), col1)
        func logP(_ x: Int) -> Double {
            logChoose(row1, x) + logChoose(total - row1, col1 - x) - constant
        }
        let observed = logP(a)
        let threshold = observed + log1p(1e-7)
        var p = 0.0
        for x in lo...hi {
            let lp = logP(x)
            if lp <= threshold { p += exp(lp) }
        }
        return min(1, p)
    }

    /// log C(n, k).
    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }
}
