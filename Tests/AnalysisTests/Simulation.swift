import Foundation
@testable import Analysis

/// Random draws for simulated cohorts.
extension SeededRandom {
    mutating func bernoulli(_ p: Double) -> Bool { unitDouble() < p }

    /// Number of successes in n Bernoulli(p) trials.
    mutating func binomial(_ n: Int, _ p: Double) -> Int { (0..<n).reduce(0) { c, _ in c + (bernoulli(p) ? 1 : 0) } }

    /// A standard normal draw (Box–Muller).
    mutating func gaussian() -> Double {
        let u = max(unitDouble(), 0x1.0p-60), v = unitDouble()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}

/// The ceiling a false-positive share may reach at level α over `trials` simulations:
/// α plus three Monte-Carlo standard errors.
func falsePositiveCeiling(alpha: Double = 0.05, trials: Int) -> Double {
    alpha + 3 * (alpha * (1 - alpha) / Double(trials)).squareRoot()
}
