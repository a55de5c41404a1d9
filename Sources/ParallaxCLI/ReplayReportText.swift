import CLIKit
import Replayer

/// The replay report for people: one line per step, then the divergences in detail and a summary.
enum ReplayReportText {
    static func print(_ report: ReplayReport, to console: Console) {
        console.print("replay of \(report.session) (\(report.mode), sandbox: \(report.sandbox))")
        // An extra step (harness mode) has no recorded seq: it shows the one it came after, marked +.
        let width = report.steps.map { String($0.seq).count + ($0.verdict == .extra ? 1 : 0) }.max() ?? 1
        for step in report.steps {
            let seq = String(step.seq) + (step.verdict == .extra ? "+" : "")
            var line = "  seq \(String(repeating: " ", count: max(0, width - seq.count)))\(seq)  \(step.verdict.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(step.summary)"
            if step.verdict.isDivergence, let cause = step.cause { line += "  [\(cause.rawValue)]" }
            if step.verdict == .skipped || step.verdict == .missing, let reason = step.reason { line += "  (\(reason))" }
            console.print(line)
        }
        let diverged = report.steps.filter { $0.verdict.isDivergence }
        if !diverged.isEmpty { console.print("") }
        for step in diverged {
            let place = step.verdict == .extra ? "after seq \(step.seq)" : "seq \(step.seq)"
            console.print("\(place) \(step.verdict.rawValue): \(step.summary)")
            if let cause = step.cause { console.print("  cause: \(cause.rawValue) — \(step.evidence ?? "")") }
            for difference in step.differences {
                console.print("  \(difference.field): recorded \(difference.recorded); replay \(difference.replayed)")
                if let diff = difference.diff, !diff.isEmpty {
                    for line in diff.split(separator: "\n", omittingEmptySubsequences: false) { console.print("    \(line)") }
                }
            }
            if step.resynced { console.print("  the recorded file changes were applied again before the next step") }
        }
        if !report.notes.isEmpty {
            console.print("")
            for note in report.notes { console.print("note: \(note)") }
        }
        console.print("")
        let percent = (report.fidelity * 1000).rounded() / 10
        var summary = "fidelity \(percent)% — \(report.matched) matched, \(report.diverged) diverged, \(report.skipped) skipped"
        if report.missing > 0 { summary += ", \(report.missing) missing" }
        if report.extra > 0 { summary += ", \(report.extra) extra" }
        summary += " of \(report.steps.count) steps"
        if let first = report.firstDivergence {
            summary += first.verdict == .extra ? "; first divergence after seq \(first.seq)" : "; first divergence at seq \(first.seq)"
        }
        if let cause = report.likelyCause { summary += "; likely cause: \(cause.rawValue)" }
        console.print(summary)
        if let replay = report.replaySession { console.print("stored as session \(replay) (replay_of \(report.session))") }
        if report.workspace != "(removed)" { console.print("workspace kept at \(report.workspace)") }
    }
}
