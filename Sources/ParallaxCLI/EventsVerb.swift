import CLIKit
import TraceModel
import TraceStore

/// `parallax events SESSION`: a session's events, readable or as NDJSON.
enum EventsVerb {
    static let verb = Verb(
        name: "events",
        summary: "print a session's events (seq range, kinds; --json for NDJSON)",
        help: """
        Usage: parallax events SESSION [--db DB | --collector URL --token T] [--from SEQ] [--to SEQ] [--kind KIND]… [--limit N] [--json]

        Prints the events of SESSION in seq order: one line each with seq, time, actor, kind and a
        short summary (the command and exit code of a process.exec, the tokens of a model.response,
        the path of a file.write, …). --json prints the stored events themselves, one canonical JSON
        object per line (NDJSON), byte-identical to what was ingested in canonical form — pipe it
        to a file and it can be ingested or verified elsewhere.

        Options:
        \(DataSource.help)
          --from SEQ / --to SEQ   only seqs in this range (inclusive)
          --kind KIND             only this kind (repeatable), e.g. --kind process.exec --kind file.write
          --limit N               at most N events
          --json                  NDJSON of the stored events

        Exit codes: 0 printed; 2 usage; 3 no such session or store; 4 store or collector failure.

        Example:
          parallax events 01JDQ3K2M4N5P6Q7R8S9T0V1W2 --db fleet.sqlite --kind process.exec
        """,
        spec: ArgumentSpec(flags: ["json"], options: DataSource.options.union(["from", "to", "kind", "limit"]), multiple: ["kind"], positionals: (1, 1), positionalName: "SESSION"),
        run: run)

    static func run(_ args: Arguments, _ console: Console) throws -> ExitCode {
        let id = try StoreAccess.sessionID(args.positionals[0], verb: "events")
        let from = try args.integer("from", range: 0...Int(Event.maxSafeInteger), verb: "events").map(UInt64.init) ?? 0
        let to = try args.integer("to", range: 0...Int(Event.maxSafeInteger), verb: "events").map(UInt64.init) ?? UInt64(Event.maxSafeInteger)
        guard from <= to else { throw UsageError("events: --from \(from) is after --to \(to)") }
        let limit = try args.integer("limit", range: 1...Int.max, verb: "events")
        var kinds: Set<EventKind>? = nil
        if !args.all("kind").isEmpty {
            kinds = Set(try args.all("kind").map { (text: String) throws(UsageError) -> EventKind in
                let kind = EventKind(rawValue: text)
                guard kind.isWellFormed else { throw UsageError("events: --kind \"\(text)\" is not an event kind like process.exec") }
                return kind
            })
        }
        let source = try DataSource.open(args, verb: "events")
        let lines = try source.eventLines(id, seqs: from...to, kinds: kinds, limit: limit)
        if args.flag("json") {
            for line in lines {
                console.write(bytes: line)
                console.write(bytes: [0x0A])
            }
            return .ok
        }
        var rows = [["SEQ", "TIME", "ACTOR", "KIND", "SUMMARY"]]
        for line in lines {
            guard let event = try? Event.decode(line) else {
                rows.append(["?", "?", "?", "?", "(stored bytes do not decode)"])
                continue
            }
            rows.append([String(event.seq), String(event.ts.rfc3339.dropFirst(11)), event.actor.rawValue, event.kind.rawValue,
                         EventSummary.line(event)])
        }
        Table.print(rows, to: console)
        return .ok
    }
}

/// One readable line per event.
enum EventSummary {
    static func clip(_ text: String, _ limit: Int = 90) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ⏎ ")
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }

    static func line(_ event: Event) -> String {
        guard let payload = try? event.payload() else { return "(data does not match its kind)" }
        switch payload {
        case .sessionStart(let s):
            var parts = ["agent \(s.agentName)\(s.agentVersion.map { " " + $0 } ?? "")"]
            if let t = s.task { parts.append("task \(t)") }
            if let c = s.condition { parts.append("condition \(c)") }
            if let w = s.worker { parts.append("on \(w)") }
            return parts.joined(separator: ", ")
        case .sessionEnd(let e):
            return "\(e.status)" + (e.exitCode.map { ", exit \($0)" } ?? "") + (e.signal.map { ", signal \($0)" } ?? "")
        case .modelRequest(let r):
            return "\(r.provider) \(r.model)" + (r.stream == true ? " (stream)" : "")
        case .modelResponse(let r):
            var parts = [r.model]
            if let u = r.usage { parts.append("\(u.inputTokens ?? 0) in / \(u.outputTokens ?? 0) out tokens") }
            if let l = r.latencyMs { parts.append("\(Int(l)) ms") }
            if let s = r.stopReason { parts.append(s) }
            return parts.joined(separator: ", ")
        case .reasoning(let r): return clip(r.text)
        case .message(let m): return clip("\(m.role): \(m.text)")
        case .toolCall(let c):
            return clip(c.name + " " + (c.input.map { $0.canonicalString } ?? ""))
        case .toolResult(let r): return clip(r.name + (r.isError == true ? " (error) " : " ") + (r.output.map(\.canonicalString) ?? ""))
        case .processExec(let p):
            var status = p.exitCode.map { "exit \($0)" } ?? p.signal.map { "signal \($0)" } ?? "running"
            if let d = p.durationMs { status += ", \(Int(d)) ms" }
            return clip("$ " + p.argv.joined(separator: " "), 70) + " (\(status))"
        case .fileWrite(let f): return "\(f.before == nil ? "created" : "wrote") \(f.path)" + (f.size.map { " (\($0) bytes)" } ?? "")
        case .fileDelete(let f): return "deleted \(f.path)"
        case .netRequest(let n): return "\(n.method) \(n.url)"
        case .netResponse(let n): return n.status.map { "status \($0)" } ?? "error: \(n.error ?? "")"
        case .annotation(let a): return "\(a.label)" + (a.text.map { ": " + $0 } ?? "")
        case .recorderNotice(let n): return "\(n.code): \(n.message)"
        case .unknown(_, let data): return clip(JSONValue.object(data).canonicalString)
        }
    }
}
