import Glibc
import Recorder
import TraceModel

/// Settings of an `actions` replay.
public struct ActionReplayOptions: Sendable {
    /// The last recorded seq to replay; nil replays everything.
    public var until: UInt64?
    /// How long one command may run.
    public var stepTimeout: Duration = .seconds(120)
    /// After a step whose file changes differ, apply the recorded changes so later steps start from
    /// the workspace the recording had.
    public var resync = true
    /// Called after each step, for progress output.
    public var progress: (@Sendable (_ done: Int, _ total: Int, _ step: StepReport) -> Void)?

    public init(until: UInt64? = nil) {
        self.until = until
    }
}

/// Replays a recorded session's actions: materializes its start snapshot, re-executes every recorded
/// `process.exec` in the sandbox with the recorded surroundings pinned, applies direct file edits,
/// and compares each step's exit status, output digests and workspace changes with the recording.
public struct ActionReplay {
    public let session: RecordedSession
    public let blobs: any BlobSource
    public let sandbox: any Sandbox
    /// The host directory the workspace is materialized into (empty or absent).
    public let workspace: String
    public var options: ActionReplayOptions

    public init(session: RecordedSession, blobs: any BlobSource, sandbox: any Sandbox, workspace: String,
                options: ActionReplayOptions = ActionReplayOptions()) {
        self.session = session
        self.blobs = blobs
        self.sandbox = sandbox
        self.workspace = workspace
        self.options = options
    }

    /// Runs the replay; the result holds the report and the replay as a new session.
    public func run(sandboxName: String) throws(ReplayError) -> (report: ReplayReport, trace: ReplaySessionBuilder) {
        var report = ReplayReport(session: session.id, mode: "actions", sandbox: sandboxName, workspace: workspace)
        if !session.gaps.isEmpty {
            report.notes.append("the recording is missing seq \(session.gaps.prefix(5).map(String.init).joined(separator: ", "))\(session.gaps.count > 5 ? ", …" : ""); steps there cannot be replayed")
        }
        try materializeStart(&report)
        let environment = replayEnvironment(&report)

        let tracker: SnapshotWorkspaceTracker
        do {
            tracker = try SnapshotWorkspaceTracker(root: workspace, blobs: DigestOnlySink(), cachePath: nil)
        } catch {
            throw ReplayError(.workspace, "cannot scan the materialized workspace: \(error)")
        }
        let trace = ReplaySessionBuilder()
        trace.add(.sessionStart, actor: .recorder, data: startData())

        var steps: [ReplayStep] = []
        for step in session.actionSteps(until: options.until) {
            if case .skip(let event, let reason) = step, event.kind == .processExec, reason.hasPrefix("the agent command itself") {
                report.notes.append("seq \(event.seq): \(reason)")
            } else {
                steps.append(step)
            }
        }
        var context = StepContext(environment: environment, tracker: tracker, trace: trace,
                                  missingPaths: Set(report.materialized.missing.map(\.path)))
        for (index, step) in steps.enumerated() {
            let result: StepReport
            switch step {
            case .exec(let event, let exec, let changes):
                if event.data["agent_process"] != nil || exec.argv.isEmpty {
                    result = skipped(event, "exec", exec.argv.joined(separator: " "), "the command has no argv")
                } else {
                    result = try replayExec(event, exec, changes, &context)
                }
            case .edit(let event):
                result = try replayEdit(event, &context)
            case .skip(let event, let reason):
                result = skipped(event, "exec", "seq \(event.seq)", reason)
            }
            report.steps.append(result)
            trace.add(.annotation, actor: .system, data: annotation(result, replaySeq: trace.events.last?.seq))
            options.progress?(index + 1, steps.count, result)
        }
        report.replaySession = trace.id
        trace.add(.sessionEnd, actor: .recorder, data: [
            "status": .string("completed"),
            "fidelity": .number(JSONNumber(report.fidelity) ?? JSONNumber(0)),
            "matched": .number(JSONNumber(Int64(report.matched))),
            "steps": .number(JSONNumber(Int64(report.steps.count))),
        ])
        return (report, trace)
    }

    struct StepContext {
        var environment: ReplayEnvironment
        let tracker: SnapshotWorkspaceTracker
        let trace: ReplaySessionBuilder
        /// Paths whose recorded content was not available, in the start snapshot or a skipped edit.
        var missingPaths: Set<String>
        /// Whether an earlier step left the workspace different from the recording (and it was not resynced).
        var workspaceDiverged = false
    }

    // MARK: - Setup

    /// Writes the start snapshot into the workspace; what was refused or not kept goes to the notes.
    func materializeStart(_ report: inout ReplayReport) throws(ReplayError) {
        let (manifest, unreadable) = try startManifest()
        do {
            report.materialized = try Materializer(blobs: blobs).materialize(manifest, into: workspace)
        } catch {
            throw ReplayError(.workspace, "cannot materialize the start snapshot: \(error)")
        }
        report.materialized.refused += unreadable
        for skipped in report.materialized.refused { report.notes.append("not materialized (refused): \(skipped)") }
        for skipped in report.materialized.missing { report.notes.append("not materialized (content not kept): \(skipped)") }
    }

    /// The start snapshot's manifest. Entries the strict reader refuses (a `..` path, a bad field)
    /// are left out and returned as refused, so one hostile entry does not stop the whole replay.
    func startManifest() throws(ReplayError) -> (SnapshotManifest, [MaterializeResult.Skipped]) {
        guard let digest = session.snapshot else {
            throw ReplayError(.invalidSession, "session.start names no workspace snapshot, so there is nothing to start from")
        }
        let bytes: [UInt8]
        do {
            bytes = try blobs.read(digest)
        } catch {
            throw ReplayError(.missingBlob, "the start snapshot's manifest \(digest) is not available: \(error)")
        }
        guard Digest.sha256(bytes) == digest else {
            throw ReplayError(.missingBlob, "the blob read for the start snapshot \(digest) does not match its digest")
        }
        let strictError: SnapshotManifestError
        do {
            return (try SnapshotManifest.parse(bytes), [])
        } catch {
            strictError = error
        }
        guard let items = (try? JSONParser.parse(bytes))?["entries"]?.arrayValue else {
            throw ReplayError(.invalidSession, "the start snapshot's manifest is unreadable: \(strictError)")
        }
        var entries: [SnapshotEntry] = []
        var refused: [MaterializeResult.Skipped] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            let path = item["path"]?.stringValue ?? "entries[\(index)]"
            do {
                let entry = try SnapshotEntry(json: item, field: "entries[\(index)]")
                if seen.insert(entry.path).inserted { entries.append(entry) } else { refused.append(.init(path: path, reason: "the path appears twice")) }
            } catch {
                refused.append(.init(path: path, reason: "unreadable entry: \(error.reason)"))
            }
        }
        return (SnapshotManifest(entries: entries), refused)
    }

    func replayEnvironment(_ report: inout ReplayReport) -> ReplayEnvironment {
        let seed = Self.seed(session.id)
        guard let digest = session.environmentBlob else {
            report.notes.append("the recording has no environment fingerprint; commands get a minimal environment")
            return ReplayEnvironment(variables: ["PATH": "/usr/local/bin:/usr/bin:/bin"], basePins: SandboxPins(randomSeed: seed))
        }
        do {
            let bytes = try blobs.read(digest)
            guard Digest.sha256(bytes) == digest else { throw ReplayError(.missingBlob, "digest mismatch") }
            let environment = ReplayEnvironment(fingerprint: try JSONParser.parse(bytes), seed: seed)
            report.notes += environment.notes
            return environment
        } catch {
            report.notes.append("the environment fingerprint \(digest) is not usable (\(error)); commands get a minimal environment")
            return ReplayEnvironment(variables: ["PATH": "/usr/local/bin:/usr/bin:/bin"], basePins: SandboxPins(randomSeed: seed))
        }
    }

    /// A seed fixed by the session id, so every replay of a session draws the same "random" bytes.
    static func seed(_ id: SessionID) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.string.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }

    func startData(mode: String = "actions") -> [String: JSONValue] {
        var data: [String: JSONValue] = [
            "agent": .object(["name": .string("parallax-replay")]),
            "replay_of": .string(session.id.string),
            "cwd": .string(session.workspaceRoot),
            "labels": .object(["replay_mode": .string(mode)]),
        ]
        if let task = session.task { data["task"] = .string(task) }
        if let snapshot = session.snapshot { data["snapshot"] = .string(snapshot.description) }
        return data
    }

    func annotation(_ step: StepReport, replaySeq: UInt64?) -> [String: JSONValue] {
        var data: [String: JSONValue] = [
            "label": .string("replay.\(step.verdict.rawValue)"),
            "author": .string("parallax replay"),
            "original_seq": .number(JSONNumber(Int64(step.seq))),
        ]
        if let replaySeq { data["target_seq"] = .number(JSONNumber(Int64(replaySeq))) }
        var text = step.summary
        if let cause = step.cause { text += " — \(cause.rawValue)" }
        if let evidence = step.evidence { text += ": \(evidence)" }
        if let reason = step.reason { text += " — \(reason)" }
        data["text"] = .string(text)
        if let cause = step.cause { data["cause"] = .string(cause.rawValue) }
        return data
    }

    func skipped(_ event: Event, _ kind: String, _ summary: String, _ reason: String) -> StepReport {
        var step = StepReport(seq: event.seq, kind: kind, summary: Self.shorten(summary), verdict: .skipped)
        step.reason = reason
        return step
    }

    static func shorten(_ text: String, limit: Int = 100) -> String {
        let flat = text.replacingNewlines()
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }
}

/// A sink that keeps nothing: the replay only needs digests to compare with the recording.
struct DigestOnlySink: BlobSink {
    func contains(_ digest: Digest) -> Bool { true }
    func put(_ bytes: [UInt8]) throws -> Digest { Digest.sha256(bytes) }
}

extension String {
    func replacingNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 })
    }
}
