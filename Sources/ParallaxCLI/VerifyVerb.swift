import TraceModel
import TraceStore

/// `parallax verify SESSION`: the hash chain, gaps and conflicts of a stored session.
enum VerifyVerb {
    static let verb = Verb(
        name: "verify",
        summary: "check a session's hash chain, gaps and conflicts",
        help: """
        Usage: parallax verify SESSION… [--db DB] [--json]

        Recomputes the hash chain of each stored SESSION (every event's prev must be the SHA-256
        of the previous event's canonical bytes) and reports, naming the seq:
          - missing events (a gap in seq numbers, or an event removed and the rest renumbered),
          - edited events (an event that no longer hashes to the prev its successor recorded),
          - inserted events (the chain links over them),
          - conflicts (a different version of a stored event arrived; the first one was kept).
        An edit of the very last event cannot be seen from the chain alone; the head digest is
        printed so it can be compared with a copy kept elsewhere.

        Options:
          \(StoreAccess.dbHelp)
          --json     one JSON object per session: {"session","intact","events","last_seq","head",
                     "findings":[{"kind","seq","message"}],"conflicts":[…]}

        Exit codes: 0 every chain intact; 1 problems found; 2 usage; 3 no such session; 4 store failure.
        """,
        spec: ArgumentSpec(flags: ["json"], options: ["db"], positionals: (1, nil), positionalName: "SESSION"),
        run: run)

    static func run(_ args: Arguments, _ console: Console) throws -> ExitCode {
        let ids = try args.positionals.map { (text: String) throws(UsageError) -> SessionID in try StoreAccess.sessionID(text, verb: "verify") }
        let store = try StoreAccess.open(args, verb: "verify", create: false)
        var result = ExitCode.ok
        for id in ids {
            guard try store.session(id) != nil else { throw CommandFailure(.notFound, "no session \(id) in the store") }
            let stored = try store.events(session: id)
            var events: [Event] = []
            var undecodable: [UInt64] = []
            for s in stored {
                if let e = try? s.event() { events.append(e) } else { undecodable.append(s.seq) }
            }
            let report = ChainVerifier.verify(events)
            let conflicts = try store.conflicts(session: id)
            let intact = report.isIntact && conflicts.isEmpty && undecodable.isEmpty
            if !intact { result = .problems }
            if args.flag("json") {
                var findings: [JSONValue] = report.findings.map { f in
                    .object(["kind": .string(kindName(f)), "seq": .number(JSONNumber(f.seq)), "message": .string(f.description)])
                }
                findings += undecodable.map { .object(["kind": "undecodable", "seq": .number(JSONNumber($0)), "message": .string("stored bytes of seq \($0) do not decode")]) }
                console.print(JSONValue.object([
                    "session": .string(id.string), "intact": .bool(intact), "events": JSONOut.int(events.count),
                    "last_seq": report.lastSeq.map { .number(JSONNumber($0)) } ?? .null,
                    "head": JSONOut.string(report.headDigest?.description), "findings": .array(findings),
                    "conflicts": .array(conflicts.map { .object(["seq": .number(JSONNumber($0.seq)), "received_at": .string($0.receivedAt.rfc3339), "digest": .string($0.digest.description)]) }),
                ]).canonicalString)
                continue
            }
            let last = report.lastSeq.map { "seq 0–\($0)" } ?? "no events"
            if intact {
                console.print("\(id): chain intact — \(events.count) events, \(last), head \(report.headDigest?.description ?? "-")")
            } else {
                console.print("\(id): PROBLEMS — \(events.count) events, \(last)")
                for f in report.findings { console.print("  \(f)") }
                for s in undecodable { console.print("  seq \(s): stored bytes do not decode") }
                for c in conflicts { console.print("  seq \(c.seq): conflicting version received \(c.receivedAt.rfc3339) (\(c.digest)); first version kept") }
            }
        }
        return result
    }

    static func kindName(_ finding: ChainFinding) -> String {
        switch finding {
        case .missing: "missing"
        case .edited: "edited"
        case .inserted: "inserted"
        case .reordered: "reordered"
        case .badLink: "bad_link"
        case .conflict: "conflict"
        }
    }
}
