import Analysis
import CLIKit
import Foundation
import TraceModel

/// `parallax compare A B`: two sessions' actions side by side, aligned, with the first divergence.
enum CompareVerb {
    static let verb = Verb(
        name: "compare",
        summary: "align two sessions' actions side by side and mark where they part ways",
        help: """
        Usage: parallax compare A B [--db DB | --collector URL --token T] [--width N] [--json]

        Takes the actions of sessions A and B (commands, tool calls, file writes and deletes, network
        requests), normalizes them (paths relative to each session's workspace, numbers and hashes
        masked, so `sed -n 12p /w1/a.py` and `sed -n 40p /w2/a.py` count as the same step), aligns
        the two sequences globally (Needleman–Wunsch) and prints them side by side:
          =  the same step on both sides
          ~  different steps opposite each other
          <  a step only A took
          >  a step only B took
        The first row that is not `=` is marked as the first divergence. Typical use: the same task run
        supervised (A) and unsupervised (B), or a session and its replay.

        Options:
        \(DataSource.help)
          --width N    columns per side (default 60)
          --json       {"left":[steps],"right":[steps],"rows":[{"left","right","operation"}],
                        "score","first_divergence"} with steps {"seq","kind","text","original"}

        Exit codes: 0 the sessions take the same steps; 1 they differ; 2 usage; 3 no such session;
        4 store or collector failure.
        """,
        spec: ArgumentSpec(flags: ["json"], options: DataSource.options.union(["width"]), positionals: (2, 2), positionalName: "SESSION"),
        run: run)

    static func run(_ args: Arguments, _ console: Console) throws -> ExitCode {
        let a = try StoreAccess.sessionID(args.positionals[0], verb: "compare")
        let b = try StoreAccess.sessionID(args.positionals[1], verb: "compare")
        var width = 60
        if let text = args.option("width") {
            guard let value = Int(text), (20...400).contains(value) else { throw UsageError("compare: --width must be 20…400, got \"\(text)\"") }
            width = value
        }
        let source = try DataSource.open(args, verb: "compare")
        let alignment = Alignment(left: try events(a, source), right: try events(b, source))
        if args.flag("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            console.print(String(decoding: try encoder.encode(alignment), as: UTF8.self))
            return alignment.firstDivergence == nil ? .ok : .problems
        }
        func cell(_ step: ActionStep?) -> String {
            guard let step else { return "" }
            let text = "\(step.seq) \(step.original)".replacingOccurrences(of: "\n", with: " ")
            return text.count > width ? String(text.prefix(width - 1)) + "…" : text
        }
        console.print("  \("A \(a)".padding(toLength: width, withPad: " ", startingAt: 0))   B \(b)")
        for (index, row) in alignment.rows.enumerated() {
            let mark: String
            switch row.operation {
            case .match: mark = "="
            case .substitute: mark = "~"
            case .leftOnly: mark = "<"
            case .rightOnly: mark = ">"
            }
            let left = cell(row.left.map { alignment.left[$0] }).padding(toLength: width, withPad: " ", startingAt: 0)
            let right = cell(row.right.map { alignment.right[$0] })
            let flag = index == alignment.firstDivergence ? "  ← first divergence" : ""
            console.print("\(index == alignment.firstDivergence ? "▶" : " ") \(left) \(mark) \(right)\(flag)")
        }
        let same = alignment.rows.count { $0.operation == .match }
        console.print("")
        if let first = alignment.firstDivergence {
            console.print("\(same) of \(alignment.rows.count) rows the same; first divergence at row \(first + 1)")
            return .problems
        }
        console.print("the sessions take the same \(same) steps")
        return .ok
    }

    static func events(_ id: SessionID, _ source: DataSource) throws -> [Event] {
        try source.eventLines(id, seqs: 0...UInt64(Int64.max), kinds: nil, limit: nil).enumerated().map { index, bytes in
            do {
                return try Event.decode(bytes)
            } catch {
                throw CommandFailure(.failure, "compare: stored event \(index) of \(id) is unreadable: \(error)")
            }
        }
    }
}
