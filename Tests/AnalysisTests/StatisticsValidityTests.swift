import Testing
@testable import Analysis

/// The tests keep their level under the null (A/A cohorts) and find the planted effects that
/// docs/analysis.md states, at the demo's sample sizes.
@Suite struct StatisticsValidityTests {
    static let cohorts = 1_000

    @Test func fisherOnAACohortsKeepsItsLevel() {
        var rng = SeededRandom(seed: 11)
        var flagged = 0
        for _ in 0..<Self.cohorts {
            let a = rng.binomial(20, 0.3), b = rng.binomial(20, 0.3)
            if Proportions.fisherExact(a, 20 - a, b, 20 - b) < 0.05 { flagged += 1 }
        }
        #expect(Double(flagged) / Double(Self.cohorts) <= falsePositiveCeiling(trials: Self.cohorts))
    }

    /// Planted: one-way-door rate 0.1 vs 0.4, 40 sessions per arm.
    @Test func fisherFindsThePlantedRateGap() {
        var rng = SeededRandom(seed: 12)
        var found = 0
        for _ in 0..<Self.cohorts {
            let a = rng.binomial(40, 0.1), b = rng.binomial(40, 0.4)
            if Proportions.fisherExact(a, 40 - a, b, 40 - b) < 0.05 { found += 1 }
        }
        #expect(Double(found) / Double(Self.cohorts) >= 0.8)
    }

    @Test func newcombeCoversTheTrueDifference() {
        var rng = SeededRandom(seed: 13)
        var covered = 0
        for _ in 0..<Self.cohorts {
            let a = rng.binomial(20, 0.2), b = rng.binomial(20, 0.45)
            if Proportions.newcombe(successes1: a, trials1: 20, successes2: b, trials2: 20).contains(0.2 - 0.45) { covered += 1 }
        }
        // Newcombe's interval is close to nominal; allow three Monte-Carlo standard errors below 95 %.
        #expect(Double(covered) / Double(Self.cohorts) >= 0.95 - 3 * (0.95 * 0.05 / Double(Self.cohorts)).squareRoot())
    }

    @Test func permutationOnAACohortsKeepsItsLevel() {
        var rng = SeededRandom(seed: 21)
        var flagged = 0
        for _ in 0..<Self.cohorts {
            let x = (0..<20).map { _ in rng.gaussian() }, y = (0..<20).map { _ in rng.gaussian() }
            if PermutationTest.independent(x, y, resamples: 199, using: &rng).pValue < 0.05 { flagged += 1 }
        }
        #expect(Double(flagged) / Double(Self.cohorts) <= falsePositiveCeiling(trials: Self.cohorts))
    }

    /// Planted: a mean shift of 0.8 standard deviations, 30 sessions per arm.
    @Test func permutationFindsThePlantedMeanShift() {
        var rng = SeededRandom(seed: 22)
        var found = 0
        for _ in 0..<Self.cohorts {
            let x = (0..<30).map { _ in rng.gaussian() }, y = (0..<30).map { _ in rng.gaussian() + 0.8 }
            if PermutationTest.independent(x, y, resamples: 199, using: &rng).pValue < 0.05 { found += 1 }
        }
        #expect(Double(found) / Double(Self.cohorts) >= 0.8)
    }

    @Test func signFlipOnAACohortsKeepsItsLevel() {
        var rng = SeededRandom(seed: 31)
        var flagged = 0
        for _ in 0..<Self.cohorts {
            // Tasks differ a lot from each other; within a task both arms are alike.
            let d = (0..<12).map { _ in let task = 5 * rng.gaussian(); return (task + rng.gaussian()) - (task + rng.gaussian()) }
            if PermutationTest.paired(differences: d, resamples: 199, exactLimit: 0, using: &rng).pValue < 0.05 { flagged += 1 }
        }
        #expect(Double(flagged) / Double(Self.cohorts) <= falsePositiveCeiling(trials: Self.cohorts))
    }

    /// Planted: a per-task shift of 0.8 standard deviations of the paired difference, 16 tasks.
    @Test func signFlipFindsThePlantedPairedShift() {
        var rng = SeededRandom(seed: 32)
        var found = 0
        for _ in 0..<Self.cohorts {
            let d = (0..<16).map { _ in rng.gaussian() + 0.8 }
            if PermutationTest.paired(differences: d, resamples: 199, exactLimit: 0, using: &rng).pValue < 0.05 { found += 1 }
        }
        #expect(Double(found) / Double(Self.cohorts) >= 0.8)
    }

    /// Tasks differ in their base rate (0.05 to 0.9); both arms share each task's rate.
    @Test func stratifiedOnAACohortsKeepsItsLevel() {
        var rng = SeededRandom(seed: 51)
        var flagged = 0
        let rates = [0.05, 0.3, 0.6, 0.9]
        for _ in 0..<Self.cohorts {
            let strata = rates.map { p in
                PermutationTest.Stratum(x: (0..<5).map { _ in rng.bernoulli(p) ? 1 : 0 }, y: (0..<5).map { _ in rng.bernoulli(p) ? 1 : 0 })
            }
            if PermutationTest.stratified(strata, resamples: 199, exactLimit: 0, using: &rng).pValue < 0.05 { flagged += 1 }
        }
        #expect(Double(flagged) / Double(Self.cohorts) <= falsePositiveCeiling(trials: Self.cohorts))
    }

    /// Planted: rate 0.1 vs 0.4 in each of 4 tasks with 10 sessions per task and arm (40 per arm).
    @Test func stratifiedFindsThePlantedRateGap() {
        var rng = SeededRandom(seed: 52)
        var found = 0
        for _ in 0..<Self.cohorts {
            let strata = (0..<4).map { _ in
                PermutationTest.Stratum(x: (0..<10).map { _ in rng.bernoulli(0.1) ? 1 : 0 }, y: (0..<10).map { _ in rng.bernoulli(0.4) ? 1 : 0 })
            }
            if PermutationTest.stratified(strata, resamples: 199, exactLimit: 0, using: &rng).pValue < 0.05 { found += 1 }
        }
        #expect(Double(found) / Double(Self.cohorts) >= 0.8)
    }

    @Test func bootstrapCoversTheTrueDifference() {
        var rng = SeededRandom(seed: 41)
        var covered = 0
        let trials = 400
        for _ in 0..<trials {
            let x = (0..<30).map { _ in rng.gaussian() + 1 }, y = (0..<30).map { _ in rng.gaussian() }
            if Bootstrap.differenceOfMeans(x, y, resamples: 499, using: &rng).contains(1) { covered += 1 }
        }
        // The percentile bootstrap runs a little narrow at n = 30; it must stay near 95 %.
        #expect(Double(covered) / Double(trials) >= 0.90)
    }
}
