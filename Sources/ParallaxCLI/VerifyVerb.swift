import CLIKit
import Collector
import TraceModel
import TraceStore

/// `parallax verify SESSION`: the hash chain, gaps and conflicts of a stored session.
enum VerifyVerb {
    static let verb = Verb(
        name: "verify",
        summary: "check a session's hash chain, gaps and conflicts",
        help: """
        Usage: parallax verify SESSION… [--db DB | --collector URL --token T] [--json]

        Recomputes the hash chain of each stored SESSION (every event's prev must be the SHA-256
        of the previous event's canonical bytes) and reports, naming the seq:
          - missing events (a gap in seq numbers, or an event removed and the rest renumbered),
          - edited events (an event that no longer hashes to the prev its successor recorded),
          - inserted events (the chain links over them),
          - conflicts (a different version of a stored event arrived; the first one was kept),
          - chain breaks recorded at ingest (an event whose prev did not match the event stored
            before it; both were kept).
        An edit of the very last event cannot be seen from the chain alone; the head digest is
        printed so it can be compared with a copy kept elsewhere.

        Options:
        \(DataSource.help)
          --json     one JSON object per session: {"session","intact","events","last_seq","head",
                     "findings":[{"kind","seq","message"}],"conflicts":[…],
                     "breaks_at_ingest":[{"seq","expected","actual","detected_at"}]}

        Exit codes: 0 every chain intact; 1 problems found; 2 usage; 3 no such session; 4 store or collector failure.
        """,
        spec: ArgumentSpec(flags: ["json"], options: DataSource.options, positionals: (1, nil), positionalName: "SESSION"),
        run: run)

    static func run(_ args: Arguments, _ console: Console) throws -> ExitCode {
        let ids = try args.positionals.map { (text: String) throws(UsageError) -> SessionID in try StoreAccess.sessionID(text, verb: "verify") }
        let source = try DataSource.open(args, verb: "verify")
        var result = ExitCode.ok
        for id in ids {
            let report = try source.verify(id)
            let intact = report["intact"]?.boolValue == true
            if !intact { result = .problems }
            if args.flag("json") {
                console.print(report.canonicalString)
                continue
            }
            let events = report["events"]?.int64Value ?? 0
            let last = report["last_seq"]?.int64Value.map { "seq 0–\($0)" } ?? "no events"
            if intact {
                console.print("\(id): chain intact — \(events) events, \(last), head \(report["head"]?.stringValue ?? "-")")
            } else {
                console.print("\(id): PROBLEMS — \(events) events, \(last)")
                for f in report["findings"]?.arrayValue ?? [] { console.print("  \(f["message"]?.stringValue ?? "")") }
                for c in report["conflicts"]?.arrayValue ?? [] {
                    console.print("  seq \(c["seq"]?.int64Value ?? -1): conflicting version received \(c["received_at"]?.stringValue ?? "?") (\(c["digest"]?.stringValue ?? "?")); first version kept")
                }
                for b in report["breaks_at_ingest"]?.arrayValue ?? [] {
                    let seq = b["seq"]?.int64Value ?? -1
                    console.print("  seq \(seq): prev does not match seq \(seq - 1) (recorded at ingest \(b["detected_at"]?.stringValue ?? "?"); expected \(b["expected"]?.stringValue ?? "?"), got \(b["actual"]?.stringValue ?? "none"))")
                }
            }
        }
        return result
    }
}
