import TraceModel
import TraceStore

/// `parallax sessions`: list sessions with filters and cursor pagination.
enum SessionsVerb {
    static let verb = Verb(
        name: "sessions",
        summary: "list sessions (filters: agent, task, condition, worker, status, time)",
        help: """
        Usage: parallax sessions [--db DB] [--agent NAME] [--task ID] [--condition LABEL] [--worker NAME]
                                 [--status STATUS] [--since TIME] [--until TIME] [--limit N] [--cursor C] [--json]

        Lists sessions, newest start first. STATUS is running (no session.end yet), completed,
        failed, killed, timeout or aborted. TIME is RFC 3339 UTC (2026-11-25T08:00:00Z; fractional
        seconds allowed) and filters on the session start. When more sessions match than --limit
        (default 100, at most 1000), the last line names the cursor for the next page.

        Columns: SESSION (id), STARTED, STATUS, AGENT, TASK, CONDITION, EVENTS, and FLAGS —
        "gaps" when seqs are missing below the highest stored one, "conflicts" when a different
        version of a stored event arrived.

        Options:
          \(StoreAccess.dbHelp)
          --json            one JSON object: {"sessions":[…],"next_cursor":…}

        Exit codes: 0 listed (possibly none); 2 usage; 3 no store at DB; 4 store failure.

        Examples:
          parallax sessions --db fleet.sqlite --task fix-failing-test --condition unsupervised
          parallax sessions --db fleet.sqlite --status failed --since 2026-11-24T00:00:00Z --json
        """,
        spec: ArgumentSpec(flags: ["json"], options: ["db", "agent", "task", "condition", "worker", "status", "since", "until", "limit", "cursor"]),
        run: run)

    static func time(_ args: Arguments, _ name: String) throws(UsageError) -> Timestamp? {
        guard let text = args.option(name) else { return nil }
        if let ts = Timestamp(rfc3339: text) { return ts }
        // Accept whole seconds and shorter fractions too: pad to microseconds.
        if text.hasSuffix("Z"), text.count >= 20 {
            let body = text.dropLast()
            let parts = body.split(separator: ".", maxSplits: 1)
            let fraction = parts.count == 2 ? String(parts[1]) : ""
            if fraction.count <= 6, fraction.allSatisfy(\.isNumber) {
                let padded = "\(parts[0]).\(fraction)\(String(repeating: "0", count: 6 - fraction.count))Z"
                if let ts = Timestamp(rfc3339: padded) { return ts }
            }
        }
        throw UsageError("sessions: --\(name) must be RFC 3339 UTC like 2026-11-25T08:00:00Z, got \"\(text)\"")
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
        let store = try StoreAccess.open(args, verb: "sessions", create: false)
        let page: SessionPage
        do {
            page = try store.sessions(query)
        } catch let error as StoreError {
            throw CommandFailure(.usage, "\(error)")
        }
        if args.flag("json") {
            console.print(JSONValue.object([
                "sessions": .array(page.sessions.map(json)),
                "next_cursor": JSONOut.string(page.nextCursor),
            ]).canonicalString)
            return .ok
        }
        var rows = [["SESSION", "STARTED", "STATUS", "AGENT", "TASK", "CONDITION", "EVENTS", "FLAGS"]]
        for s in page.sessions {
            var flags: [String] = []
            if s.hasGaps { flags.append("gaps") }
            if s.isFlagged { flags.append("conflicts") }
            if !s.hasStart { flags.append("no-start") }
            rows.append([s.id.string, String(s.startedAt.rfc3339.prefix(19)) + "Z", s.status.rawValue, s.agent ?? "-",
                         s.task ?? "-", s.condition ?? "-", String(s.eventCount), flags.isEmpty ? "-" : flags.joined(separator: ",")])
        }
        if page.sessions.isEmpty {
            console.print("no sessions match")
        } else {
            Table.print(rows, to: console)
        }
        if let next = page.nextCursor { console.print("more: parallax sessions --cursor \(next) (same filters)") }
        return .ok
    }

    static func json(_ s: SessionSummary) -> JSONValue {
        .object([
            "id": .string(s.id.string), "agent": JSONOut.string(s.agent), "agent_version": JSONOut.string(s.agentVersion),
            "task": JSONOut.string(s.task), "condition": JSONOut.string(s.condition), "worker": JSONOut.string(s.worker),
            "status": .string(s.status.rawValue), "started_at": .string(s.startedAt.rfc3339),
            "ended_at": JSONOut.string(s.endedAt?.rfc3339), "event_count": JSONOut.int(s.eventCount),
            "last_seq": JSONOut.int(s.lastSeq), "acked_seq": JSONOut.int(s.ackedSeq), "conflicts": JSONOut.int(s.conflictCount),
            "replay_of": JSONOut.string(s.replayOf?.string), "has_gaps": .bool(s.hasGaps),
        ])
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
