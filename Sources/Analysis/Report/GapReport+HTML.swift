import Foundation

extension GapReport {
    /// A self-contained HTML report: inline CSS and SVG charts, no scripts, nothing fetched.
    /// `title` heads the page; `sessionLink` turns a session id into an href (in-page anchors by default).
    public func html(title: String = "Parallax behavior-gap report", generated: Date = Date()) -> String {
        var page = HTMLPage()
        page.line("<!DOCTYPE html>")
        page.line("<html lang=\"en\"><head><meta charset=\"utf-8\">")
        page.line("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        page.line("<title>\(HTMLPage.escape(title))</title>")
        page.line("<style>\(Self.css)</style></head><body>")
        page.line("<h1>\(HTMLPage.escape(title))</h1>")
        let stamp = ISO8601DateFormatter().string(from: generated)
        let counts = conditions.map { "\(HTMLPage.escape($0.condition)): \($0.sessions) sessions" }.joined(separator: " · ")
        page.line("<p class=\"meta\">Generated \(stamp) · baseline <b>\(HTMLPage.escape(baseline))</b> · \(counts) · \(tasks.count) tasks · rules \(HTMLPage.escape(rulesVersion)) · \(Self.percent(level, digits: 0)) intervals · Holm-adjusted p &lt; \(Self.number(alpha)) is significant · seed \(seed)</p>")

        page.line("<h2>Rates per condition</h2>")
        page.line("<p class=\"note\">Share of sessions per condition with the Wilson interval as a bar.</p>")
        page.line("<div class=\"charts\">")
        for metric in headlineRates { page.line(rateChart(metric)) }
        page.line("</div>")

        for comparison in comparisons {
            page.line("<h2>\(HTMLPage.escape(comparison.condition)) vs \(HTMLPage.escape(baseline))</h2>")
            page.line("<p class=\"note\">\(comparison.paired ? "Paired by task (\(comparison.pairedTasks.count) tasks): permutations swap conditions within a task." : "Unpaired: not every task ran under both conditions.")</p>")
            page.line(metricTable(comparison))
            if let headline = comparison.metric("one_way_door_rate"), let perTask = headline.perTask, !perTask.isEmpty {
                page.line("<h3>One-way-door rate per task (\(HTMLPage.escape(comparison.condition)) − \(HTMLPage.escape(baseline)))</h3>")
                page.line(Self.pairedChart(perTask))
            }
        }

        page.line("<h2>Action mix</h2>")
        page.line("<p class=\"note\">Flagged actions per category, by condition.</p>")
        page.line(actionMixChart())

        page.line("<h2>Flagged actions</h2>")
        page.line(flaggedTable())
        page.line("<h2>Sessions</h2>")
        page.line(sessionList())
        page.line("</body></html>")
        return page.text
    }

    /// The rate metrics charted at the top, in a fixed order.
    var headlineRates: [String] {
        let preferred = ["one_way_door_rate", "category:oversight_tampering", "eval_awareness_rate", "contradiction_rate", "success_rate"]
        let available = Set(comparisons.flatMap { $0.metrics.filter { $0.kind == .rate }.map(\.metric) })
        return preferred.filter(available.contains)
    }

    /// Bars for one rate metric: the baseline and every condition, with interval whiskers.
    func rateChart(_ id: String) -> String {
        var groups: [(String, GroupValue)] = []
        if let first = comparisons.first?.metric(id) { groups.append((baseline, first.baseline)) }
        for comparison in comparisons { if let metric = comparison.metric(id) { groups.append((comparison.condition, metric.condition)) } }
        let width = 120 + 90 * groups.count, height = 220, top = 30, bottom = 180, left = 50
        var svg = "<figure class=\"chart\"><svg width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTMLPage.escape(id))\">"
        svg += "<text x=\"\(left)\" y=\"18\" class=\"title\">\(HTMLPage.escape(id))</text>"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            let y = Double(bottom) - tick * Double(bottom - top)
            svg += "<line x1=\"\(left)\" x2=\"\(width - 10)\" y1=\"\(Self.f(y))\" y2=\"\(Self.f(y))\" class=\"grid\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(Self.f(y + 4))\" class=\"axis\" text-anchor=\"end\">\(Int(tick * 100))%</text>"
        }
        for (index, (name, group)) in groups.enumerated() {
            let x = Double(left + 20 + index * 90)
            let value = group.value ?? 0
            let y = Double(bottom) - value * Double(bottom - top)
            svg += "<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"50\" height=\"\(Self.f(Double(bottom) - y))\" class=\"bar\(index == 0 ? " base" : "")\"><title>\(HTMLPage.escape(name)): \(Self.value(group, .rate))</title></rect>"
            if let interval = group.interval {
                let lo = Double(bottom) - interval.lower * Double(bottom - top), hi = Double(bottom) - interval.upper * Double(bottom - top)
                svg += "<line x1=\"\(Self.f(x + 25))\" x2=\"\(Self.f(x + 25))\" y1=\"\(Self.f(lo))\" y2=\"\(Self.f(hi))\" class=\"whisker\"/>"
                svg += "<line x1=\"\(Self.f(x + 17))\" x2=\"\(Self.f(x + 33))\" y1=\"\(Self.f(lo))\" y2=\"\(Self.f(lo))\" class=\"whisker\"/>"
                svg += "<line x1=\"\(Self.f(x + 17))\" x2=\"\(Self.f(x + 33))\" y1=\"\(Self.f(hi))\" y2=\"\(Self.f(hi))\" class=\"whisker\"/>"
            }
            svg += "<text x=\"\(Self.f(x + 25))\" y=\"\(bottom + 16)\" class=\"axis\" text-anchor=\"middle\">\(HTMLPage.escape(Self.clip(name, 14)))</text>"
            svg += "<text x=\"\(Self.f(x + 25))\" y=\"\(bottom + 32)\" class=\"axis\" text-anchor=\"middle\">\(group.count ?? 0)/\(group.n)</text>"
        }
        return svg + "</svg></figure>"
    }

    /// Per-task differences as dots around a zero line.
    static func pairedChart(_ perTask: [TaskDifference]) -> String {
        let rowHeight = 24, left = 170, width = 560, plot = width - left - 30
        let height = 40 + rowHeight * perTask.count
        let scale = max(1.0, perTask.map { abs($0.difference) }.max() ?? 1)
        func x(_ value: Double) -> Double { Double(left) + (value / scale + 1) / 2 * Double(plot) }
        var svg = "<figure class=\"chart\"><svg width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"per-task differences\">"
        svg += "<line x1=\"\(f(x(0)))\" x2=\"\(f(x(0)))\" y1=\"10\" y2=\"\(height - 20)\" class=\"zero\"/>"
        for tick in [-scale, 0, scale] {
            svg += "<text x=\"\(f(x(tick)))\" y=\"\(height - 4)\" class=\"axis\" text-anchor=\"middle\">\(signedPercent(tick))</text>"
        }
        for (index, row) in perTask.enumerated() {
            let y = 24 + index * rowHeight
            svg += "<text x=\"\(left - 10)\" y=\"\(y + 4)\" class=\"axis\" text-anchor=\"end\">\(HTMLPage.escape(clip(row.task, 24)))</text>"
            svg += "<line x1=\"\(f(x(0)))\" x2=\"\(f(x(row.difference)))\" y1=\"\(y)\" y2=\"\(y)\" class=\"stem\"/>"
            svg += "<circle cx=\"\(f(x(row.difference)))\" cy=\"\(y)\" r=\"6\" class=\"dot\"><title>\(HTMLPage.escape(row.task)): \(signedPercent(row.difference))</title></circle>"
        }
        return svg + "</svg></figure>"
    }

    /// Stacked bars: flagged actions per category for each condition.
    func actionMixChart() -> String {
        let names = conditions.map(\.condition)
        var totals: [String: [String: Int]] = [:]
        for session in sessions {
            guard let condition = session.condition else { continue }
            for hit in session.flagged { totals[condition, default: [:]][hit.category, default: 0] += 1 }
        }
        let categories = Set(totals.values.flatMap(\.keys)).sorted()
        guard !categories.isEmpty else { return "<p class=\"note\">No action matched a rule.</p>" }
        let left = 130, width = 620, plot = width - left - 20, rowHeight = 34
        let height = 30 + rowHeight * names.count + 22 * ((categories.count + 2) / 3)
        let maximum = max(1, names.map { totals[$0]?.values.reduce(0, +) ?? 0 }.max() ?? 1)
        var svg = "<figure class=\"chart\"><svg width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"action mix\">"
        for (row, name) in names.enumerated() {
            let y = 10 + row * rowHeight
            svg += "<text x=\"\(left - 10)\" y=\"\(y + 17)\" class=\"axis\" text-anchor=\"end\">\(HTMLPage.escape(Self.clip(name, 16)))</text>"
            var x = Double(left)
            for (index, category) in categories.enumerated() {
                let count = totals[name]?[category] ?? 0
                guard count > 0 else { continue }
                let w = Double(count) / Double(maximum) * Double(plot)
                svg += "<rect x=\"\(Self.f(x))\" y=\"\(y)\" width=\"\(Self.f(w))\" height=\"24\" fill=\"\(Self.palette[index % Self.palette.count])\"><title>\(HTMLPage.escape(name)) · \(HTMLPage.escape(category)): \(count)</title></rect>"
                x += w
            }
        }
        for (index, category) in categories.enumerated() {
            let x = 10 + (index % 3) * 200, y = 20 + rowHeight * names.count + (index / 3) * 22
            svg += "<rect x=\"\(x)\" y=\"\(y - 10)\" width=\"12\" height=\"12\" fill=\"\(Self.palette[index % Self.palette.count])\"/>"
            svg += "<text x=\"\(x + 18)\" y=\"\(y)\" class=\"axis\">\(HTMLPage.escape(Self.clip(category, 26)))</text>"
        }
        return svg + "</svg></figure>"
    }

    func metricTable(_ comparison: Comparison) -> String {
        var rows = "<table><thead><tr><th>metric</th><th>\(HTMLPage.escape(baseline))</th><th>\(HTMLPage.escape(comparison.condition))</th><th>effect [\(Self.percent(level, digits: 0)) CI]</th><th>test</th><th>p</th><th>Holm p</th></tr></thead><tbody>"
        for metric in comparison.metrics {
            rows += "<tr class=\"\(metric.significant ? "sig" : "")\"><td title=\"\(HTMLPage.escape(metric.description))\">\(HTMLPage.escape(metric.metric))</td>"
            rows += "<td>\(HTMLPage.escape(Self.value(metric.baseline, metric.kind)))</td><td>\(HTMLPage.escape(Self.value(metric.condition, metric.kind)))</td>"
            rows += "<td>\(HTMLPage.escape(Self.effect(metric)))</td><td>\(HTMLPage.escape(metric.test))</td>"
            rows += "<td>\(metric.pValue.map(Self.pValue) ?? "—")</td><td>\(metric.adjustedP.map(Self.pValue) ?? HTMLPage.escape(metric.note ?? "—"))\(metric.significant ? " <b>significant</b>" : "")</td></tr>"
        }
        return rows + "</tbody></table>"
    }

    func flaggedTable() -> String {
        let hits = sessions.flatMap { session in session.flagged.map { (session, $0) } }
        guard !hits.isEmpty else { return "<p class=\"note\">No action matched a rule.</p>" }
        var rows = "<table><thead><tr><th>session</th><th>condition</th><th>task</th><th>seq</th><th>rule</th><th>category</th><th>severity</th><th>why</th></tr></thead><tbody>"
        for (session, hit) in hits {
            rows += "<tr class=\"\(hit.oneWayDoor ? "door" : "")\"><td><a href=\"#session-\(HTMLPage.escape(session.session))\">\(HTMLPage.escape(session.session))</a></td>"
            rows += "<td>\(HTMLPage.escape(session.condition ?? "—"))</td><td>\(HTMLPage.escape(session.task ?? "—"))</td><td>\(hit.seq)</td>"
            rows += "<td>\(HTMLPage.escape(hit.rule))</td><td>\(HTMLPage.escape(hit.category))</td><td>\(HTMLPage.escape(hit.severity.rawValue))\(hit.oneWayDoor ? " · one-way door" : "")</td>"
            rows += "<td>\(HTMLPage.escape(hit.why))</td></tr>"
        }
        return rows + "</tbody></table>"
    }

    func sessionList() -> String {
        var out = "<table><thead><tr><th>session</th><th>condition</th><th>task</th><th>outcome</th><th>steps</th><th>tokens</th><th>one-way doors</th><th>awareness</th><th>contradictions</th><th>out-of-scope files</th></tr></thead><tbody>"
        for session in sessions {
            let outcome = session.outcome.status.map { "\($0)\(session.outcome.exitCode.map { " (\($0))" } ?? "")" } ?? "no end"
            out += "<tr id=\"session-\(HTMLPage.escape(session.session))\"><td><code>\(HTMLPage.escape(session.session))</code></td>"
            out += "<td>\(HTMLPage.escape(session.condition ?? "—"))</td><td>\(HTMLPage.escape(session.task ?? "—"))</td><td>\(HTMLPage.escape(outcome))</td>"
            out += "<td>\(session.steps)</td><td>\(session.tokens.total)</td><td>\(session.oneWayDoorCount)</td>"
            out += "<td>\(HTMLPage.escape(session.awareness.map { "“\($0.phrase)” (seq \($0.seq))" }.joined(separator: "; ")))</td>"
            out += "<td>\(HTMLPage.escape(session.contradictions.map { "“\($0.statement)” then seq \($0.actionSeq) (\($0.rule))" }.joined(separator: "; ")))</td>"
            out += "<td>\(HTMLPage.escape(session.outOfScopeFiles.joined(separator: ", ")))</td></tr>"
        }
        return out + "</tbody></table>"
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static let palette = ["#c0392b", "#2471a3", "#d68910", "#7d3c98", "#138d75", "#5d6d7e", "#a04000", "#1e8449", "#b03a2e", "#2e4053"]

    static let css = """
    body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1100px;color:#1c2833;padding:0 16px}\
    h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #d5d8dc}h3{font-size:15px}\
    .meta,.note{color:#566573}table{border-collapse:collapse;width:100%;margin:8px 0}\
    th,td{border-bottom:1px solid #eaecee;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f4f6f7}\
    tr.sig td{background:#fdedec}tr.door td:nth-child(7){color:#922b21;font-weight:600}\
    .charts{display:flex;flex-wrap:wrap;gap:12px}figure.chart{margin:6px 0}\
    svg text{font:12px system-ui,sans-serif;fill:#34495e}svg text.title{font-weight:600}\
    .grid{stroke:#eaecee}.bar{fill:#e74c3c}.bar.base{fill:#5d6d7e}.whisker{stroke:#17202a;stroke-width:1.5}\
    .zero{stroke:#5d6d7e;stroke-dasharray:4 3}.stem{stroke:#e74c3c;stroke-width:2}.dot{fill:#e74c3c}code{font-size:12px}
    """
}

/// Builds an HTML page line by line.
struct HTMLPage {
    private(set) var text = ""

    mutating func line(_ line: String) {
        text += line
        text += "\n"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
