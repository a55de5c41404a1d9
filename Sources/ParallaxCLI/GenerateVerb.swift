import CLIKit
import Foundation
import TraceModel
import TraceWire

/// `parallax generate`: realistic synthetic sessions, for demos, load tests and trying things out.
enum GenerateVerb {
    static let verb = Verb(
        name: "generate",
        summary: "write synthetic, fully chained sessions as NDJSON (demo and load data)",
        help: """
        Usage: parallax generate [--sessions N] [--seed S] [--rounds MIN-MAX] [--zstd] [-o FILE]

        Writes N complete sessions of a scripted coding agent — session.start, user message,
        rounds of model.request/response, reasoning, tool.call, process.exec with output,
        tool.result and file.write, then session.end — with valid hash chains, half of them
        "supervised" and half "unsupervised". The same seed always gives the same bytes.

        Options:
          --sessions N       how many sessions (default 3)
          --seed S           random seed (default 1)
          --rounds MIN-MAX   tool-use rounds per session (default 4-12; about 8 events each)
          --zstd             compress the output (one zstd frame)
          -o, --output FILE  write to FILE instead of standard output

        Exit codes: 0 written; 2 usage; 4 cannot write FILE.

        Example:
          parallax generate --sessions 100 --zstd -o load.ndjson.zst
        """,
        spec: ArgumentSpec(flags: ["zstd"], options: ["sessions", "seed", "rounds", "output"], aliases: ["-o": "output"]),
        run: run)

    static func run(_ args: Arguments, _ console: Console) throws -> ExitCode {
        let count = try args.integer("sessions", range: 1...1_000_000, verb: "generate") ?? 3
        let seed = try args.integer("seed", range: 0...Int.max, verb: "generate") ?? 1
        var generator = SyntheticTrace(seed: UInt64(seed))
        if let text = args.option("rounds") {
            let parts = text.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2, parts[0] >= 1, parts[0] <= parts[1], parts[1] <= 10_000 else {
                throw UsageError("generate: --rounds must look like 4-12 (1 ≤ MIN ≤ MAX ≤ 10000), got \"\(text)\"")
            }
            generator.rounds = parts[0]...parts[1]
        }
        var events: [Event] = []
        for i in 0..<count {
            events += generator.session(condition: generator.conditions[i % generator.conditions.count])
        }
        var bytes = NDJSONBatch.encode(events)
        if args.flag("zstd") { bytes = Zstd.compress(bytes, level: 3) }
        if let path = args.option("output") {
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw CommandFailure(.failure, "cannot write \(path)")
            }
            console.error("generate: \(count) sessions, \(events.count) events, \(bytes.count) bytes → \(path)")
        } else {
            console.write(bytes: bytes)
        }
        return .ok
    }
}
