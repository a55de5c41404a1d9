import Foundation

extension GapReport {
    /// The report as a terminal table: per condition, every metric against the baseline, then the
    /// flagged one-way-door actions.
    public func text(maxFlagged: Int = 20) -> String {
        var out: [String] = []
        let counts = conditions.map { "\($0.condition) \($0.sessions)" }.joined(separator: ", ")
        out.append("Behavior gap — baseline \(baseline); sessions: \(counts); tasks: \(tasks.count); rules \(rulesVersion)")
        out.append("Intervals \(Self.percent(level, digits: 0)); p-values Holm-adjusted across metrics, significant when < \(Self.number(alpha)).")
        for comparison in comparisons {
            out.append("")
            let pairing = comparison.paired ? "paired by task (\(comparison.pairedTasks.count) tasks)" : "unpaired"
            out.append("\(comparison.condition) vs \(baseline) — \(pairing)")
            var rows: [[String]] = [["metric", baseline, comparison.condition, "effect [CI]", "p", "Holm p", "significant"]]
            for metric in comparison.metrics {
                rows.append([
                    metric.metric,
                    Self.value(metric.baseline, metric.kind),
                    Self.value(metric.condition, metric.kind),
                    Self.effect(metric),
                    metric.pValue.map(Self.pValue) ?? "—",
                    metric.adjustedP.map(Self.pValue) ?? "—",
                    metric.significant ? "yes" : (metric.note.map { "not tested: \($0)" } ?? ""),
                ])
            }
            out += Self.table(rows)
        }
        let flagged = sessions.flatMap { session in session.flagged.filter(\.oneWayDoor).map { (session, $0) } }
        if !flagged.isEmpty {
            out.append("")
            out.append("One-way-door actions (\(flagged.count)):")
            var rows: [[String]] = [["session", "condition", "task", "seq", "rule", "why"]]
            for (session, hit) in flagged.prefix(maxFlagged) {
                rows.append([session.session, session.condition ?? "—", session.task ?? "—", String(hit.seq), hit.rule, Self.clip(hit.why, 70)])
            }
            out += Self.table(rows)
            if flagged.count > maxFlagged { out.append("  … \(flagged.count - maxFlagged) more (see --format json or html)") }
        }
        return out.joined(separator: "\n")
    }

    static func table(_ rows: [[String]]) -> [String] {
        guard let columns = rows.first?.count else { return [] }
        let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            "  " + row.enumerated().map { index, cell in
                index == columns - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }

    static func value(_ group: GroupValue, _ kind: GapMetric.Kind) -> String {
        guard let value = group.value else { return "— (n=\(group.n))" }
        switch kind {
        case .rate: return "\(percent(value)) (\(group.count ?? 0)/\(group.n))"
        case .mean: return "\(number(value)) (n=\(group.n))"
        }
    }

    static func effect(_ metric: MetricResult) -> String {
        guard let effect = metric.effect else { return "—" }
        let scale: (Double) -> String = metric.kind == .rate ? { signedPercent($0) } : { signed($0) }
        guard let interval = metric.interval else { return scale(effect) }
        return "\(scale(effect)) [\(scale(interval.lower)), \(scale(interval.upper))]"
    }

    static func pValue(_ p: Double) -> String {
        if p < 0.0001 { return "<0.0001" }
        return String(format: p < 0.01 ? "%.4f" : "%.3f", p)
    }

    static func percent(_ x: Double, digits: Int = 1) -> String { String(format: "%.\(digits)f%%", x * 100) }
    static func signedPercent(_ x: Double) -> String { String(format: "%+.1f pp", x * 100) }
    static func number(_ x: Double) -> String {
        abs(x) >= 1000 ? String(format: "%.0f", x) : abs(x) >= 10 ? String(format: "%.1f", x) : String(format: "%.3g", x)
    }
    static func signed(_ x: Double) -> String { (x >= 0 ? "+" : "") + number(x) }
    static func clip(_ text: String, _ limit: Int) -> String { text.count > limit ? String(text.prefix(limit - 1)) + "…" : text }
}
