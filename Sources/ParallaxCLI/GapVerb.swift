import Analysis
import CLIKit
import Foundation
import TraceModel
import TraceStore

/// `parallax gap`: supervised vs unsupervised (or any conditions) with effect sizes, intervals and tests.
enum GapVerb {
    static let verb = Verb(
        name: "gap",
        summary: "compare conditions (e.g. supervised vs unsupervised) across sessions, with statistics",
        help: """
        Usage: parallax gap [--task T]… [--baseline LABEL] [--db DB | --collector URL --token T]
                            [--rules FILE] [--format text|json|html] [-o FILE] [--seed N]

        Reads every session with a condition label (replays are left out), turns each into features —
        actions by rule category, one-way-door actions, files touched outside the task scope, outcome,
        steps, tokens, duration, evaluation awareness voiced in reasoning, reasoning that rules out an
        action the agent then takes — and compares each condition with the baseline, metric by metric:
        effect size (risk difference for rates, difference of means and Hedges' g), a 95 % interval
        (Newcombe for rates, bootstrap for means), Fisher's exact or a permutation test, and Holm's
        correction across metrics. When every task ran under both conditions the comparison is paired
        by task.

        Options:
        \(DataSource.help)
          --task T          only sessions of task T (repeatable)
          --baseline LABEL  the condition the others are compared with (default supervised)
          --rules FILE      a rules file merged over the built-in rules (same id replaces, new ids add;
                            see rules/parallax-rules.json for the format)
          --format F        text (default), json (documented in schemas/gap.schema.json) or html (one
                            self-contained file with SVG charts; nothing is fetched when it is opened)
          -o, --output FILE write the report to FILE instead of standard output
          --seed N          seed of the permutation tests and bootstrap (default 1; same seed, same report)

        Exit codes: 0 report written (whether or not a gap was found); 2 usage; 3 no sessions with a
        condition label; 4 store, collector or rules-file failure.

        Example:
          parallax gap --db fleet.sqlite --format html -o gap.html
        """,
        spec: ArgumentSpec(options: DataSource.options.union(["task", "baseline", "rules", "format", "output", "seed"]),
                           multiple: ["task"], positionals: (0, 0), aliases: ["-o": "output"]),
        run: run)

    static func run(_ args: Arguments, _ console: Console) throws -> ExitCode {
        let format = args.option("format") ?? "text"
        guard ["text", "json", "html"].contains(format) else {
            throw UsageError("gap: --format must be text, json or html, got \"\(format)\"")
        }
        var seed: UInt64 = 1
        if let text = args.option("seed") {
            guard let value = UInt64(text) else { throw UsageError("gap: --seed must be a non-negative integer, got \"\(text)\"") }
            seed = value
        }
        var rules = RuleSet.builtIn
        if let path = args.option("rules") {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandFailure(.notFound, "gap: cannot read the rules file \(path)")
            }
            do {
                rules = try RuleSet.loading(userFile: [UInt8](data), source: path)
            } catch {
                throw CommandFailure(.failure, "gap: \(error)")
            }
        }
        let tasks = args.all("task")
        let source = try DataSource.open(args, verb: "gap")
        let ids = try sessionIDs(source, tasks: tasks)
        guard !ids.isEmpty else {
            throw CommandFailure(.notFound, "gap: no sessions with a condition label\(tasks.isEmpty ? "" : " for task \(tasks.joined(separator: ", "))")")
        }
        console.error("parallax gap: reading \(ids.count) sessions")
        var events: [Event] = []
        for (index, id) in ids.enumerated() {
            for (line, bytes) in try source.eventLines(id, seqs: 0...UInt64(Int64.max), kinds: nil, limit: nil).enumerated() {
                do {
                    events.append(try Event.decode(bytes))
                } catch {
                    throw CommandFailure(.failure, "gap: stored event \(line) of \(id) is unreadable: \(error)")
                }
            }
            if (index + 1) % 50 == 0 { console.error("parallax gap: \(index + 1)/\(ids.count) sessions read") }
        }
        let options: FeatureOptions
        do {
            options = try FeatureOptions(rules: rules)
        } catch {
            throw CommandFailure(.failure, "gap: \(error)")
        }
        var analysis = GapAnalysis(baseline: args.option("baseline") ?? "supervised", seed: seed, rules: rules)
        if !tasks.isEmpty { analysis.tasks = Set(tasks) }
        let report = analysis.run(events: events, options: options)
        if !report.conditions.contains(where: { $0.condition == analysis.baseline }) {
            console.error("parallax gap: warning: no session has the baseline condition \"\(analysis.baseline)\"; conditions: \(report.conditions.map(\.condition).joined(separator: ", "))")
        }

        let output: String
        switch format {
        case "json": output = String(decoding: try report.jsonData(), as: UTF8.self) + "\n"
        case "html": output = report.html()
        default: output = report.text() + "\n"
        }
        if let path = args.option("output") {
            do {
                try Data(output.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw CommandFailure(.failure, "gap: cannot write \(path): \(error.localizedDescription)")
            }
            console.error("parallax gap: wrote \(path)")
        } else {
            console.write(bytes: Array(output.utf8))
        }
        return .ok
    }

    /// Sessions with a condition label (and one of `tasks`, when given), replays left out, oldest first.
    static func sessionIDs(_ source: DataSource, tasks: [String]) throws -> [SessionID] {
        var ids: [SessionID] = []
        for task in tasks.isEmpty ? [nil] : tasks.map(Optional.some) {
            var query = SessionQuery(task: task, limit: SessionQuery.maxLimit)
            while true {
                let page = try source.sessions(query)
                for item in page["sessions"]?.arrayValue ?? [] {
                    guard item["condition"]?.stringValue != nil, item["replay_of"]?.stringValue == nil,
                          let id = item["id"]?.stringValue.flatMap(SessionID.init) else { continue }
                    ids.append(id)
                }
                guard let next = page["next_cursor"]?.stringValue else { break }
                query.cursor = next
            }
        }
        return Array(Set(ids)).sorted()
    }
}
