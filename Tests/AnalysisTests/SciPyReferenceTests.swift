import Foundation
import Testing
@testable import Analysis

/// Every statistical function against SciPy (scripts/stats_reference.py). The test fails, never
/// skips, when python3 or SciPy is missing: `make setup` installs both.
@Suite struct SciPyReferenceTests {
    /// The script's output, or why there is none.
    static let output: (json: Data, error: String?) = {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/stats_reference.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { return (Data(), "cannot run python3: \(error)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return (Data(), "stats_reference.py exited \(process.terminationStatus): \(String(decoding: message, as: UTF8.self))")
        }
        return (data, nil)
    }()

    static func cases(_ name: String) throws -> [[String: Any]] {
        if let error = output.error { Issue.record(Comment(rawValue: error)) }
        let reference = try #require(try JSONSerialization.jsonObject(with: output.json) as? [String: Any],
                                     "stats_reference.py printed no JSON object")
        let list = try #require(reference[name] as? [[String: Any]], "no \(name) cases from SciPy")
        #expect(!list.isEmpty)
        return list
    }

    static func close(_ a: Double, _ b: Double, relative: Double = 1e-9, absolute: Double = 1e-12) -> Bool {
        abs(a - b) <= max(absolute, relative * max(abs(a), abs(b)))
    }

    static func doubles(_ value: Any?) -> [Double] { (value as? [NSNumber])?.map(\.doubleValue) ?? [] }

    @Test func wilsonMatchesBinomtest() throws {
        for c in try Self.cases("wilson") {
            let k = c["k"] as! Int, n = c["n"] as! Int, ci = Self.doubles(c["ci"])
            let mine = Proportions.wilson(successes: k, trials: n)
            #expect(Self.close(mine.lower, ci[0]) && Self.close(mine.upper, ci[1]), "\(k)/\(n): \(mine) vs \(ci)")
        }
    }

    @Test func newcombeMatchesTheHybridScoreFormula() throws {
        for c in try Self.cases("newcombe") {
            let ci = Self.doubles(c["ci"])
            let mine = Proportions.newcombe(successes1: c["k1"] as! Int, trials1: c["n1"] as! Int,
                                            successes2: c["k2"] as! Int, trials2: c["n2"] as! Int)
            #expect(Self.close(mine.lower, ci[0]) && Self.close(mine.upper, ci[1]), "\(c): \(mine)")
        }
    }

    /// Newcombe (1998), Table II, method 10: the published four-digit values.
    @Test func newcombeMatchesThePublishedExamples() {
        let a = Proportions.newcombe(successes1: 56, trials1: 70, successes2: 48, trials2: 80)
        #expect(abs(a.lower - 0.0524) < 5e-5 && abs(a.upper - 0.3339) < 5e-5)
        let b = Proportions.newcombe(successes1: 9, trials1: 10, successes2: 3, trials2: 10)
        #expect(abs(b.lower - 0.1705) < 5e-5 && abs(b.upper - 0.8090) < 5e-5)
    }

    @Test func fisherMatchesFisherExact() throws {
        for c in try Self.cases("fisher") {
            let t = (c["table"] as! [[Int]]), p = (c["p"] as! NSNumber).doubleValue
            let mine = Proportions.fisherExact(t[0][0], t[0][1], t[1][0], t[1][1])
            #expect(Self.close(mine, p, relative: 1e-7), "\(t): \(mine) vs \(p)")
        }
    }

    @Test func exactPermutationMatchesPermutationTest() throws {
        for c in try Self.cases("permutation") {
            let x = Self.doubles(c["x"]), y = Self.doubles(c["y"]), p = (c["p"] as! NSNumber).doubleValue
            var rng = SeededRandom(seed: 1)
            let mine = PermutationTest.independent(x, y, using: &rng)
            #expect(mine.exact)
            #expect(Self.close(mine.pValue, p), "\(x) vs \(y): \(mine.pValue) vs \(p)")
        }
    }

    @Test func exactSignFlipMatchesPairedPermutationTest() throws {
        for c in try Self.cases("paired") {
            let x = Self.doubles(c["x"]), y = Self.doubles(c["y"]), p = (c["p"] as! NSNumber).doubleValue
            var rng = SeededRandom(seed: 1)
            let mine = PermutationTest.paired(differences: zip(x, y).map { $0 - $1 }, using: &rng)
            #expect(mine.exact)
            #expect(Self.close(mine.pValue, p), "\(x) vs \(y): \(mine.pValue) vs \(p)")
        }
    }

    @Test func stratifiedPermutationMatchesFullEnumeration() throws {
        for c in try Self.cases("stratified") {
            let strata = (c["strata"] as! [[Any]]).map { PermutationTest.Stratum(x: Self.doubles($0[0]), y: Self.doubles($0[1])) }
            var rng = SeededRandom(seed: 1)
            let mine = PermutationTest.stratified(strata, using: &rng)
            #expect(mine.exact)
            #expect(Self.close(mine.pValue, (c["p"] as! NSNumber).doubleValue), "\(strata): \(mine.pValue)")
        }
    }

    @Test func holmMatchesTheStepDownFormula() throws {
        for c in try Self.cases("holm") {
            let mine = Holm.adjust(Self.doubles(c["p"])), expected = Self.doubles(c["adjusted"])
            #expect(mine.count == expected.count)
            for (a, b) in zip(mine, expected) { #expect(Self.close(a, b), "\(mine) vs \(expected)") }
        }
    }

    @Test func effectSizesMatch() throws {
        for c in try Self.cases("effect") {
            let x = Self.doubles(c["x"]), y = Self.doubles(c["y"])
            let d = try #require(Descriptive.cohensD(x, y)), g = try #require(Descriptive.hedgesG(x, y))
            #expect(Self.close(d, (c["d"] as! NSNumber).doubleValue))
            #expect(Self.close(g, (c["g"] as! NSNumber).doubleValue))
        }
    }

    @Test func normalQuantileMatchesNormPpf() throws {
        for c in try Self.cases("normal") {
            let p = (c["p"] as! NSNumber).doubleValue, z = (c["z"] as! NSNumber).doubleValue
            #expect(Self.close(Normal.quantile(p), z, relative: 1e-12, absolute: 1e-14), "p=\(p)")
        }
    }

    @Test func quantileMatchesNumPy() throws {
        for c in try Self.cases("quantile") {
            let sorted = Self.doubles(c["values"]).sorted(), qs = Self.doubles(c["q"]), expected = Self.doubles(c["expected"])
            for (q, e) in zip(qs, expected) { #expect(Self.close(Descriptive.quantile(sorted: sorted, q), e)) }
        }
    }
}
