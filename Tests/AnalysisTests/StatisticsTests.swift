import Testing
@testable import Analysis

@Suite struct StatisticsTests {
    @Test func seededRandomIsReproducibleAndSeedDependent() {
        var a = SeededRandom(seed: 7), b = SeededRandom(seed: 7), c = SeededRandom(seed: 8)
        let xs = (0..<5).map { _ in a.next() }
        #expect(xs == (0..<5).map { _ in b.next() })
        #expect(xs != (0..<5).map { _ in c.next() })
    }

    @Test func belowStaysInRangeAndReachesEveryValue() {
        var rng = SeededRandom(seed: 3)
        var seen = Set<Int>()
        for _ in 0..<2_000 {
            let v = rng.below(7)
            #expect((0..<7).contains(v))
            seen.insert(v)
        }
        #expect(seen.count == 7)
    }

    @Test func wilsonHandlesEdges() {
        #expect(Proportions.wilson(successes: 0, trials: 0) == Interval(lower: 0, upper: 1, level: 0.95))
        let none = Proportions.wilson(successes: 0, trials: 10)
        #expect(none.lower == 0 && none.upper > 0 && none.upper < 0.35)
        let all = Proportions.wilson(successes: 10, trials: 10)
        #expect(all.upper == 1 && all.lower > 0.65)
    }

    @Test func fisherIsSymmetricAndOneForEmptyTables() {
        #expect(Proportions.fisherExact(0, 0, 0, 0) == 1)
        let p = Proportions.fisherExact(2, 18, 10, 10)
        #expect(abs(p - Proportions.fisherExact(10, 10, 2, 18)) < 1e-15)
        #expect(abs(p - Proportions.fisherExact(18, 2, 10, 10)) < 1e-15)
    }

    @Test func fisherStaysFiniteForLargeTables() {
        let p = Proportions.fisherExact(5_000, 5_000, 5_100, 4_900)
        #expect(p > 0 && p < 1)
    }

    @Test func monteCarloPermutationIsNeverZeroAndReproducible() {
        let x = (0..<30).map(Double.init), y = (0..<30).map { Double($0) + 100 }
        var a = SeededRandom(seed: 5), b = SeededRandom(seed: 5)
        let r = PermutationTest.independent(x, y, resamples: 999, using: &a)
        #expect(!r.exact && r.resamples == 999)
        #expect(r.pValue == 1.0 / 1000)
        #expect(r == PermutationTest.independent(x, y, resamples: 999, using: &b))
        #expect(r.observed == -100)
    }

    @Test func monteCarloAgreesWithExactEnumeration() {
        let x: [Double] = [1.5, 2.0, 3.2, 4.1, 5.0, 2.5, 3.3], y: [Double] = [2.2, 2.9, 3.0, 6.5, 7.1, 7.3, 5.9]
        var rng = SeededRandom(seed: 9)
        let exact = PermutationTest.independent(x, y, using: &rng)
        let sampled = PermutationTest.independent(x, y, resamples: 20_000, exactLimit: 0, using: &rng)
        #expect(exact.exact && !sampled.exact)
        #expect(abs(exact.pValue - sampled.pValue) < 0.01)
    }

    @Test func bootstrapIntervalBracketsTheEstimate() {
        var rng = SeededRandom(seed: 2)
        let x: [Double] = [3, 4, 5, 6, 7, 5, 4], y: [Double] = [1, 2, 2, 3, 1, 2]
        let ci = Bootstrap.differenceOfMeans(x, y, using: &rng)
        let estimate = Descriptive.mean(x) - Descriptive.mean(y)
        #expect(ci.lower < estimate && estimate < ci.upper && ci.excludesZero)
        let paired = Bootstrap.meanOfDifferences([0.1, -0.2, 0.05, 0.0, -0.1], using: &rng)
        #expect(paired.contains(0))
    }

    @Test func stratifiedWithOneRunPerSideIsTheSignFlipTest() {
        let x: [Double] = [1, 2, 0.5, 4, 3, 2.2], y: [Double] = [3, 1.5, 2.5, 6, 3.5, 2.0]
        var a = SeededRandom(seed: 1), b = SeededRandom(seed: 1)
        let strata = zip(x, y).map { PermutationTest.Stratum(x: [$0], y: [$1]) }
        let stratified = PermutationTest.stratified(strata, using: &a)
        let signFlip = PermutationTest.paired(differences: zip(y, x).map { $0 - $1 }, using: &b)
        #expect(stratified.exact && abs(stratified.pValue - signFlip.pValue) < 1e-12)
        #expect(abs(stratified.observed - signFlip.observed) < 1e-12)
    }

    @Test func stratifiedIgnoresDifferencesBetweenTasks() {
        // Task 2 is far higher in both arms; within tasks the arms match, so nothing is found.
        let strata = [PermutationTest.Stratum(x: [1, 2, 3], y: [1, 2, 3]), PermutationTest.Stratum(x: [100, 101], y: [100, 101, 102])]
        var rng = SeededRandom(seed: 4)
        #expect(PermutationTest.stratified(strata, using: &rng).pValue > 0.5)
        let ci = Bootstrap.stratifiedDifference(strata, using: &rng)
        #expect(ci.contains(0.5) && ci.upper < 5)
    }

    @Test func effectSizesAreNilWithoutSpread() {
        #expect(Descriptive.cohensD([1, 1], [1, 1]) == nil)
        #expect(Descriptive.cohensD([1], [2]) == nil)
        #expect(Descriptive.pairedHedgesG([1, 1, 1]) == nil)
        let g = Descriptive.pairedHedgesG([1, 2, 3, 2])
        #expect(g != nil && g! > 0)
    }

    @Test func holmKeepsUntestedMetricsOutOfTheFamily() {
        let adjusted = Holm.adjust([0.01, .nan, 0.02])
        #expect(adjusted[0] == 0.02 && adjusted[1].isNaN && adjusted[2] == 0.02)
        #expect(Holm.adjust([]).isEmpty)
    }
}
