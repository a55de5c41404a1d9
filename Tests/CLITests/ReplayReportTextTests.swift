import CLIKit
@testable import ParallaxCLI
import Replayer
import Testing
import TraceModel

/// The replay report for people, with harness mode's verdicts.
@Suite struct ReplayReportTextTests {
    @Test func harnessVerdictsAreListedAndCountedWithExtraStepsMarked() {
        var report = ReplayReport(session: SessionID.generate(), mode: "harness", sandbox: "bubblewrap", workspace: "(removed)")
        report.steps = [StepReport(seq: 3, kind: "model", summary: "openai gpt-x call 0", verdict: .match)]
        var diverged = StepReport(seq: 9, kind: "model", summary: "openai gpt-x call 1", verdict: .diverged)
        diverged.cause = .unknown
        diverged.evidence = "the agent's request 1 is not the recorded one (not_on_tape)"
        diverged.differences = [StepDifference(field: "request", recorded: "sha256:aa (seq 9)", replayed: "sha256:bb (request 1)", diff: "not_on_tape: no recorded call matches this request")]
        var missing = StepReport(seq: 12, kind: "exec", summary: "make test", verdict: .missing)
        missing.reason = "the replayed agent did not run it"
        missing.cause = .earlierDivergence
        var extra = StepReport(seq: 12, kind: "exec", summary: "rm -rf build", verdict: .extra)
        extra.cause = .earlierDivergence
        report.steps += [diverged, missing, extra]

        let capture = Capture()
        let console = Console(writeOut: { capture.out += $0 }, writeErr: { capture.err += $0 })
        ReplayReportText.print(report, to: console)
        console.flush()
        let text = String(decoding: capture.out, as: UTF8.self)
        #expect(text.contains("  seq 12+  extra     rm -rf build  [earlier_divergence]"), "\(text)")
        #expect(text.contains("  seq  12  missing   make test  [earlier_divergence]  (the replayed agent did not run it)"), "\(text)")
        #expect(text.contains("after seq 12 extra: rm -rf build"))
        #expect(text.contains("  request: recorded sha256:aa (seq 9); replay sha256:bb (request 1)"))
        #expect(text.contains("fidelity 25.0% — 1 matched, 1 diverged, 0 skipped, 1 missing, 1 extra of 4 steps; first divergence at seq 9"), "\(text)")
    }
}
