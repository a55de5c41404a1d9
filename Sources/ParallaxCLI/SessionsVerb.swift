import CLIKit
import Collector
import TraceModel
import TraceStore

/// `parallax sessions`: list sessions with filters and cursor pagination.
enum SessionsVerb {
    static let verb = Verb(
        name: "sessions",
        summary: "list sessions (filters: agent, task, condition, worker, status, time)",
        help: """
        Usage: parallax sessions [--db DB | --collector URL --token T] [--agent NAME] [--task ID] [--condition LABEL] [--worker NAME]
                                 [--status STATUS] [--since TIME] [--until TIME] [--limit N] [--cursor C] [--json]

        Lists sessions, newest start first. STATUS is running (no session.end yet), completed,
        failed, killed, timeout or aborted. TIME is RFC 3339 UTC (2026-11-25T08:00:00Z; fractional
        seconds allowed) and filters on the session start. When more sessions match than --limit
        (default 100, at most 1000), the last line names the cursor for the next page.

        Columns: SESSION (id), STARTED, STATUS, AGENT, TASK, CONDITION, EVENTS, and FLAGS —
        "gaps" when seqs are missing below the highest stored one, "conflicts" when a different
        version of a stored event arrived, "chain" when an event's prev did not match the event
        before it when it was stored.

        Options:
        \(DataSource.help)
          --json                 one JSON object: {"sessions":[…],"next_cursor":…}

        Exit codes: 0 listed (possibly none); 2 usage; 3 no store at DB; 4 store or collector failure.

        Examples:
          parallax sessions --db fleet.sqlite --task fix-failing-test --condition unsupervised
          parallax sessions --db fleet.sqlite --status failed --since 2026-11-24T00:00:00Z --json
        """,
        spec: ArgumentSpec(flags: ["json"], options: DataSource.options.union(["agent", "task", "condition", "worker", "status", "since", "until", "limit", "cursor"])),
        run: run)

    static func time(_ args: Arguments, _ name: String) throws(UsageError) -> Timestamp? {
        guard let text = args.option(name) else { return nil }
        guard let ts = Timestamp(lenient: text) else {
            throw UsageError("sessions: --\(name) must be RFC 3339 UTC like 2026-11-25T08:00:00Z, got \"\(text)\"")
        }
        return ts
    }

    static func run(_ args: Arguments, _ console: Console) throws -> ExitCode {
        var query = SessionQuery()
        query.agent = args.option("agent")
        query.task = args.option("task")
        query.condition = args.option("condition")
        query.worker = args.option("worker")
        if let status = args.option("status") {
            let known = ["running"] + SessionEnd.statuses
            guard known.contains(status) else { throw UsageError("sessions: --status must be one of \(known.joined(separator: ", ")), got \"\(status)\"") }
            query.status = SessionStatus(rawValue: status)
        }
        query.since = try time(args, "since")
        query.until = try time(args, "until")
        query.limit = try args.integer("limit", range: 1...SessionQuery.maxLimit, verb: "sessions") ?? SessionQuery.defaultLimit
        query.cursor = args.option("cursor")
        let source = try DataSource.open(args, verb: "sessions")
        let page = try source.sessions(query)
        if args.flag("json") {
            console.print(page.canonicalString)
            return .ok
        }
        let sessions = page["sessions"]?.arrayValue ?? []
        var rows = [["SESSION", "STARTED", "STATUS", "AGENT", "TASK", "CONDITION", "EVENTS", "FLAGS"]]
        for s in sessions {
            func text(_ key: String) -> String { s[key]?.stringValue ?? "-" }
            var flags: [String] = []
            if s["has_gaps"]?.boolValue == true { flags.append("gaps") }
            if (s["conflicts"]?.int64Value ?? 0) > 0 { flags.append("conflicts") }
            if (s["chain_breaks"]?.int64Value ?? 0) > 0 { flags.append("chain") }
            rows.append([text("id"), String(text("started_at").prefix(19)) + "Z", text("status"), text("agent"), text("task"),
                         text("condition"), String(s["event_count"]?.int64Value ?? 0), flags.isEmpty ? "-" : flags.joined(separator: ",")])
        }
        if sessions.isEmpty {
            console.print("no sessions match")
        } else {
            Table.print(rows, to: console)
        }
        if let next = page["next_cursor"]?.stringValue { console.print("more: parallax sessions --cursor \(next) (same filters)") }
        return .ok
    }
}

/// Left-aligned columns separated by two spaces.
enum Table {
    static func print(_ rows: [[String]], to console: Console) {
        guard let columns = rows.first?.count else { return }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        for row in rows {
            let line = row.enumerated().map { i, cell in
                i == columns - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
            console.print(line)
        }
    }
}
