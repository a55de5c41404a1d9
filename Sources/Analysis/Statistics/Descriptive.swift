import Foundation

/// Means, variances, quantiles and standardized effect sizes.
public enum Descriptive {
    public static func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }

    /// Sample variance (n − 1 denominator); 0 for fewer than two values.
    public static func variance(_ v: [Double]) -> Double {
        guard v.count > 1 else { return 0 }
        let m = mean(v)
        return v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)
    }

    /// Quantile of sorted values by linear interpolation (Hyndman & Fan type 7, NumPy's default).
    public static func quantile(sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * min(1, max(0, q))
        let i = Int(h.rounded(.down))
        guard i + 1 < sorted.count else { return sorted[sorted.count - 1] }
        return sorted[i] + (h - Double(i)) * (sorted[i + 1] - sorted[i])
    }

    /// Cohen's d: (mean(x) − mean(y)) over the pooled standard deviation; nil when it is undefined
    /// (fewer than three values in all, or no spread at all).
    public static func cohensD(_ x: [Double], _ y: [Double]) -> Double? {
        let n1 = Double(x.count), n2 = Double(y.count)
        guard x.count >= 1, y.count >= 1, x.count + y.count > 2 else { return nil }
        let pooled = ((n1 - 1) * variance(x) + (n2 - 1) * variance(y)) / (n1 + n2 - 2)
        guard pooled > 0 else { return nil }
        return (mean(x) - mean(y)) / pooled.squareRoot()
    }

    /// Hedges' g: Cohen's d times the exact small-sample correction J(df) = Γ(df/2) / (√(df/2) Γ((df−1)/2)).
    public static func hedgesG(_ x: [Double], _ y: [Double]) -> Double? {
        guard let d = cohensD(x, y) else { return nil }
        return d * correction(degreesOfFreedom: Double(x.count + y.count - 2))
    }

    /// Standardized mean of paired differences (d_z = mean / sd), with Hedges' correction for df = n − 1.
    public static func pairedHedgesG(_ d: [Double]) -> Double? {
        guard d.count > 2 else { return nil }
        let sd = variance(d).squareRoot()
        guard sd > 0 else { return nil }
        return mean(d) / sd * correction(degreesOfFreedom: Double(d.count - 1))
    }

    static func correction(degreesOfFreedom df: Double) -> Double {
        guard df > 1 else { return 1 }
        return exp(lgamma(df / 2) - lgamma((df - 1) / 2)) / (df / 2).squareRoot()
    }
}
