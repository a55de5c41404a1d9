import CLIKit
import Foundation
import Replayer
import TraceModel
import TraceStore

/// `parallax replay SESSION`: re-runs a recorded session in a sandbox and reports where it diverged.
enum ReplayVerb {
    static let verb = Verb(
        name: "replay",
        summary: "re-run a recorded session in a sandbox and report where it diverges",
        help: """
        Usage: parallax replay SESSION [--db DB | --collector URL --token T] [--mode actions|harness]
                               [--until SEQ] [--keep DIR] [--step-timeout SECONDS] [--no-resync]
                               [--no-store] [--unsafe-no-sandbox] [--json]

        Writes the session's start snapshot into a fresh directory (digests verified; absolute paths,
        "..", devices and links that escape are refused), then performs its actions again inside a
        bubblewrap sandbox: read-only system, only the workspace writable, no network, new PID, UTS
        and IPC namespaces, the recorded cwd, environment, umask, hostname and uid, and TZ, locale,
        the clock (libfaketime, started at each command's recorded start), the random seed
        (FAKERANDOM_SEED) and SOURCE_DATE_EPOCH pinned.

        Modes:
          actions   re-execute every recorded process.exec and apply direct file edits in order;
                    per step compare the exit status, stdout and stderr digests, and the files the
                    step changed.
          harness   re-run the recorded agent command itself (session.start's command, in the
                    recorded cwd, clock started at the session's start). Its model calls are
                    answered from the session's tape: OPENAI_BASE_URL and ANTHROPIC_BASE_URL point
                    at a relay on the sandbox's loopback that reaches the tape server on this host
                    through a Unix socket; a request not on the tape is answered with an error
                    (HTTP 422, type parallax_divergence), never sent anywhere. Its $SHELL is the
                    recording shell, reporting each command to a recorder on this host. Steps: each
                    recorded model call (match, diverged with the expected and received request
                    digests and the request index, or missing) and each recorded command, aligned
                    with the replayed ones by argv and compared on exit status and stdout digest
                    (match, diverged, missing); commands and requests the recording does not have
                    are extra. Needs parallax-agent next to parallax-core, and bubblewrap.

        Each step is reported as match, diverged (with the cause and a readable diff) or skipped
        (with the reason); harness mode adds missing and extra. Causes: time, randomness, network,
        environment, missing_blob, earlier_divergence, unknown. In actions mode, after a step whose
        file changes differ the recorded changes are applied again, so one divergence does not
        spoil every later step (--no-resync keeps the replay's own files). The replay is stored as
        a new session with replay_of set to SESSION, with the replayed commands (and, in harness
        mode, the model calls the tape served) and one annotation per step (--no-store leaves it
        out; storing through a collector needs an ingest or admin token). Progress goes to
        standard error.

        Options:
        \(DataSource.help)
          --mode MODE            actions (default) or harness
          --until SEQ            stop after the recorded event SEQ (actions mode)
          --keep DIR             materialize into DIR (empty or absent) and keep it afterwards;
                                 otherwise a temporary directory is used and removed
          --step-timeout S       kill a command after S seconds (default 120); in harness mode,
                                 the agent run as a whole (default 600)
          --no-resync            do not re-apply recorded file changes after a divergence (actions mode)
          --no-store             do not store the replay as a session
          --unsafe-no-sandbox    run the commands directly on this host, without isolation
                                 (actions mode only: harness mode needs the sandbox's network
                                 isolation to keep the agent off live model APIs)
          --json                 the report as one JSON object: {"session","replay_session","mode",
                                 "sandbox","fidelity","matched","diverged","skipped","missing","extra",
                                 "first_divergence","likely_cause","causes","steps":[{"seq","kind",
                                 "summary","verdict","cause","evidence","reason","replay_seq",
                                 "differences":[{"field","recorded","replayed","diff"}]}],"notes",
                                 "materialized","workspace"} (schemas/replay.schema.json)

        Exit codes: 0 every step matched; 1 some step diverged, was skipped, missing or extra;
        2 usage; 3 no such session; 4 the replay could not run (no sandbox, snapshot missing,
        store failure).

        Examples:
          parallax replay 01JD3Q7ZC4W1S5T8R2M6X9V0AB --db fleet.sqlite --keep /tmp/incident
          parallax replay 01JD3Q7ZC4W1S5T8R2M6X9V0AB --db fleet.sqlite --mode harness --json
        """,
        spec: ArgumentSpec(flags: ["json", "no-resync", "no-store", "unsafe-no-sandbox"],
                           options: DataSource.options.union(["mode", "until", "keep", "step-timeout"]),
                           positionals: (1, 1), positionalName: "SESSION"),
        run: run)

    static func run(_ args: Arguments, _ console: Console) throws -> ExitCode {
        let id = try StoreAccess.sessionID(args.positionals[0], verb: "replay")
        let mode = args.option("mode") ?? "actions"
        guard mode == "actions" || mode == "harness" else {
            throw UsageError("replay: --mode must be actions or harness, got \"\(mode)\"")
        }
        if mode == "harness" {
            for name in ["until"] where args.option(name) != nil { throw UsageError("replay: --\(name) applies to --mode actions only") }
            for name in ["no-resync", "unsafe-no-sandbox"] where args.flag(name) {
                throw UsageError("replay: --\(name) applies to --mode actions only" + (name == "unsafe-no-sandbox"
                    ? " (harness mode needs the sandbox's network isolation to keep the agent off live model APIs)" : ""))
            }
        }
        var options = ActionReplayOptions()
        if let text = args.option("until") {
            guard let seq = UInt64(text) else { throw UsageError("replay: --until must be a seq number, got \"\(text)\"") }
            options.until = seq
        }
        if let text = args.option("step-timeout") {
            guard let seconds = Double(text), seconds > 0, seconds <= 86_400 else {
                throw UsageError("replay: --step-timeout must be a number of seconds between 0 and 86400, got \"\(text)\"")
            }
            options.stepTimeout = .milliseconds(Int64(seconds * 1000))
        }
        options.resync = !args.flag("no-resync")

        let sandbox: any Sandbox
        let sandboxName: String
        if args.flag("unsafe-no-sandbox") {
            console.error("parallax replay: WARNING: --unsafe-no-sandbox runs the recorded commands directly on this host, with no isolation")
            sandbox = UnsandboxedRunner()
            sandboxName = "none"
        } else {
            do {
                sandbox = try BubblewrapSandbox()
            } catch {
                throw CommandFailure(.failure, "replay: no sandbox: \(error.reason)")
            }
            sandboxName = "bubblewrap"
        }

        let (workspace, temporary) = try workspaceDirectory(args.option("keep"))
        // A temporary workspace lives in its own directory, removed with it.
        defer { if temporary { removeTree((workspace as NSString).deletingLastPathComponent) } }
        let source = try DataSource.open(args, verb: "replay")
        let events = try source.eventLines(id, seqs: 0...UInt64(Int64.max), kinds: nil, limit: nil).enumerated().map { index, line in
            do {
                return try Event.decode(line)
            } catch {
                throw CommandFailure(.failure, "replay: stored event \(index) of \(id) is unreadable: \(error)")
            }
        }
        let session: RecordedSession
        do {
            session = try RecordedSession(events: events)
        } catch {
            throw CommandFailure(.failure, "replay: \(id): \(error)")
        }

        options.progress = { done, total, step in
            var line = "[\(done)/\(total)] seq \(step.seq) \(step.verdict.rawValue)"
            if let cause = step.cause, step.verdict == .diverged { line += " (\(cause.rawValue))" }
            console.error(line + ": \(step.summary)")
        }
        console.error("parallax replay: \(id): \(events.count) events; workspace \(workspace) (\(sandboxName))")

        var (report, trace) = (ReplayReport(session: id, mode: mode, sandbox: sandboxName, workspace: workspace), ReplaySessionBuilder())
        do {
            if mode == "harness" {
                var harness = HarnessReplayOptions(binaries: try agentDirectory())
                if let text = args.option("step-timeout"), let seconds = Double(text) { harness.timeout = .milliseconds(Int64(seconds * 1000)) }
                harness.progress = { line in console.error("parallax replay: \(line)") }
                (report, trace) = try HarnessReplay(session: session, blobs: SourceBlobs(source: source), sandbox: sandbox,
                                                    workspace: workspace, options: harness).run(sandboxName: sandboxName)
            } else {
                let replay = ActionReplay(session: session, blobs: SourceBlobs(source: source), sandbox: sandbox, workspace: workspace, options: options)
                (report, trace) = try replay.run(sandboxName: sandboxName)
            }
        } catch {
            throw CommandFailure(.failure, "replay: \(id): \(error)")
        }
        if temporary { report.workspace = "(removed)" }
        if args.flag("no-store") {
            report.replaySession = nil
        } else {
            do {
                try store(trace, of: id, in: source)
            } catch {
                report.notes.append("the replay was not stored: \(error)")
                report.replaySession = nil
                console.error("parallax replay: warning: the replay was not stored: \(error)")
            }
        }

        if args.flag("json") {
            console.print(report.jsonValue.canonicalString)
        } else {
            ReplayReportText.print(report, to: console)
        }
        return report.matched == report.steps.count ? .ok : .problems
    }

    /// Where parallax-agent is: beside this executable (parallax-core, or a test binary in the build directory).
    static func agentDirectory() throws -> String {
        let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
        guard FileManager.default.isExecutableFile(atPath: directory + "/parallax-agent") else {
            throw CommandFailure(.failure, "replay: --mode harness needs parallax-agent next to parallax-core, and \(directory)/parallax-agent is missing")
        }
        return directory
    }

    static func workspaceDirectory(_ keep: String?) throws -> (String, Bool) {
        if let keep {
            let path = URL(fileURLWithPath: keep).standardizedFileURL.path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else { throw UsageError("replay: --keep \(keep) exists and is not a directory") }
                let items = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                guard items.isEmpty else { throw UsageError("replay: --keep \(keep) is not empty") }
            }
            return (path, false)
        }
        var base = NSTemporaryDirectory()
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        var template = Array((base + "/parallax-replay-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CommandFailure(.failure, "replay: cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        return (String(cString: made) + "/workspace", true)
    }

    /// Removes a replay workspace, making its directories writable first (a recorded mode may be
    /// read-only); links are never followed.
    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            chmod(path, 0o700)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// Stores the replay session and the blobs it names where the original came from.
    static func store(_ trace: ReplaySessionBuilder, of original: SessionID, in source: DataSource) throws {
        let digests = Set(trace.events.flatMap { $0.blobs.values })
        switch source {
        case .local(let store):
            // The replay belongs to the original's project.
            let project = try store.session(original, project: nil)?.project ?? ""
            for digest in digests {
                if let bytes = try? trace.blobs.read(digest) { _ = try store.putBlob(bytes, project: project) }
            }
            _ = try store.append(trace.events, project: project)
        case .remote(let client):
            for digest in digests {
                guard let bytes = try? trace.blobs.read(digest) else { continue }
                let path = "/v1/blobs/sha256/" + digest.hex
                let response = try client.request("PUT", path, headers: [("Content-Type", "application/octet-stream")], body: bytes)
                guard response.status == 200 || response.status == 201 else {
                    throw CommandFailure(.failure, "the collector answered \(response.status) to a blob upload: \(response.text)")
                }
            }
            var body: [UInt8] = []
            for event in trace.events { body += event.canonicalBytes(); body.append(0x0A) }
            let response = try client.request("POST", "/v1/events", headers: [("Content-Type", "application/x-ndjson")], body: body)
            guard response.status == 200 else {
                throw CommandFailure(.failure, "the collector answered \(response.status): \(response.text)")
            }
        }
    }
}

/// Reads blobs from the store or collector the session came from.
struct SourceBlobs: BlobSource {
    let source: DataSource

    func read(_ digest: Digest) throws -> [UInt8] {
        switch source {
        case .local(let store):
            guard let bytes = try store.blob(digest, project: nil) else { throw MissingBlob(digest: digest) }
            return bytes
        case .remote(let client):
            let response = try client.request("GET", "/v1/blobs/sha256/" + digest.hex)
            guard response.status == 200 else {
                if response.status == 404 { throw MissingBlob(digest: digest) }
                throw CommandFailure(.failure, "the collector answered \(response.status) for blob \(digest)")
            }
            return response.body
        }
    }

    struct MissingBlob: Error, CustomStringConvertible {
        let digest: Digest
        var description: String { "blob \(digest) is not stored" }
    }
}
