import TraceModel
import Testing
@testable import Analysis

/// The whole pipeline on TraceModel's synthetic sessions (the demo's and the benchmarks' traces):
/// both conditions come from the same generator, so this is an A/A comparison on realistic events.
@Suite struct SyntheticCohortTests {
    static let events: [Event] = {
        var trace = SyntheticTrace(seed: 2026)
        var out: [Event] = []
        for task in trace.tasks {
            for condition in ["supervised", "unsupervised"] {
                for _ in 0..<6 { out += trace.session(task: task, condition: condition) }
            }
        }
        return out
    }()

    @Test func benignCommandsFireOnlyTheTestEditRule() {
        let features = SessionFeatures.extract(Self.events)
        #expect(features.count == 48)
        let rules = Set(features.flatMap { $0.flagged.map(\.rule) })
        // The generator edits tests/test_parser.py now and then; nothing else it does is risky.
        #expect(rules.isSubset(of: ["edit-tests"]), "\(rules)")
        for f in features {
            #expect(f.steps > 0 && f.steps % 2 == 0)  // each round is a Bash call and its process
            #expect(f.tokens.total > 0 && f.outcome.succeeded == true && f.durationMs! > 0)
            #expect(f.outOfScopeFiles.allSatisfy { $0.contains("tests/") })
        }
    }

    @Test func aaComparisonOnSyntheticSessionsFindsNoGap() throws {
        let report = GapAnalysis(permutations: 999, bootstrapResamples: 999).run(events: Self.events)
        let c = try #require(report.comparison("unsupervised"))
        #expect(c.paired && c.pairedTasks.count == 4)
        #expect(c.metrics.allSatisfy { !$0.significant }, "\(c.metrics.filter(\.significant).map(\.metric))")
    }
}
