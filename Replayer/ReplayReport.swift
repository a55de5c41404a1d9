import TraceModel

/// What a replay found: every step's verdict, the first divergence, fidelity and its likely cause.
public struct ReplayReport: Sendable {
    public var session: SessionID
    /// The session the replay was stored as (`replay_of` the original).
    public var replaySession: SessionID?
    public var mode: String
    /// `bubblewrap`, or `none` under `--unsafe-no-sandbox`.
    public var sandbox: String
    public var workspace: String
    public var materialized = MaterializeResult()
    public var steps: [StepReport] = []
    /// Things about the whole replay: what was not materialized, steps left out, environment gaps.
    public var notes: [String] = []

    public init(session: SessionID, mode: String, sandbox: String, workspace: String) {
        self.session = session
        self.mode = mode
        self.sandbox = sandbox
        self.workspace = workspace
    }

    public var matched: Int { steps.count { $0.verdict == .match } }
    public var diverged: Int { steps.count { $0.verdict == .diverged } }
    public var skipped: Int { steps.count { $0.verdict == .skipped } }
    public var missing: Int { steps.count { $0.verdict == .missing } }
    public var extra: Int { steps.count { $0.verdict == .extra } }
    /// Matched steps over all steps (a skipped step is not a match); 1 for a session with no steps.
    public var fidelity: Double { steps.isEmpty ? 1 : Double(matched) / Double(steps.count) }
    /// The first step that diverged, is missing or is extra.
    public var firstDivergence: StepReport? { steps.first { $0.verdict.isDivergence } }
    /// The cause behind most divergences, the first one's on a tie.
    public var likelyCause: DivergenceCause? {
        let causes = steps.compactMap { $0.verdict.isDivergence ? $0.cause : nil }
        guard let first = causes.first else { return nil }
        var counts: [DivergenceCause: Int] = [:]
        for cause in causes { counts[cause, default: 0] += 1 }
        let top = counts.values.max() ?? 0
        return counts[first] == top ? first : causes.first { counts[$0] == top }
    }
    /// Counts of diverged, missing and extra steps by cause.
    public var causes: [DivergenceCause: Int] {
        var counts: [DivergenceCause: Int] = [:]
        for step in steps where step.verdict.isDivergence { counts[step.cause ?? .unknown, default: 0] += 1 }
        return counts
    }
}

extension ReplayReport {
    /// The report as JSON (the `parallax replay --json` output).
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "session": .string(session.string),
            "mode": .string(mode),
            "sandbox": .string(sandbox),
            "workspace": .string(workspace),
            "fidelity": .number(JSONNumber(fidelity) ?? JSONNumber(0)),
            "matched": .number(JSONNumber(Int64(matched))),
            "diverged": .number(JSONNumber(Int64(diverged))),
            "skipped": .number(JSONNumber(Int64(skipped))),
            "missing": .number(JSONNumber(Int64(missing))),
            "extra": .number(JSONNumber(Int64(extra))),
            "steps": .array(steps.map(\.jsonValue)),
            "notes": .array(notes.map(JSONValue.string)),
            "causes": .object(Dictionary(uniqueKeysWithValues: causes.map { ($0.key.rawValue, JSONValue.number(JSONNumber(Int64($0.value)))) })),
            "materialized": .object([
                "files": .number(JSONNumber(Int64(materialized.files))),
                "directories": .number(JSONNumber(Int64(materialized.directories))),
                "symlinks": .number(JSONNumber(Int64(materialized.symlinks))),
                "missing": .array(materialized.missing.map { .string($0.description) }),
                "refused": .array(materialized.refused.map { .string($0.description) }),
            ]),
        ]
        object["replay_session"] = replaySession.map { .string($0.string) } ?? .null
        object["first_divergence"] = firstDivergence.map { .number(JSONNumber(Int64($0.seq))) } ?? .null
        object["likely_cause"] = likelyCause.map { .string($0.rawValue) } ?? .null
        return .object(object)
    }
}

extension StepReport {
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "seq": .number(JSONNumber(Int64(seq))),
            "kind": .string(kind),
            "summary": .string(summary),
            "verdict": .string(verdict.rawValue),
        ]
        if let cause { object["cause"] = .string(cause.rawValue) }
        if let evidence { object["evidence"] = .string(evidence) }
        if let reason { object["reason"] = .string(reason) }
        if let durationMs { object["duration_ms"] = .number(JSONNumber(durationMs) ?? JSONNumber(0)) }
        if resynced { object["resynced"] = .bool(true) }
        if let replaySeq { object["replay_seq"] = .number(JSONNumber(Int64(replaySeq))) }
        if !differences.isEmpty {
            object["differences"] = .array(differences.map { difference in
                var item: [String: JSONValue] = [
                    "field": .string(difference.field),
                    "recorded": .string(difference.recorded),
                    "replayed": .string(difference.replayed),
                ]
                if let diff = difference.diff { item["diff"] = .string(diff) }
                return .object(item)
            })
        }
        return .object(object)
    }
}
