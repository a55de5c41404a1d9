import Glibc
import ModelTape
import Recorder
import TraceModel

/// Settings of a `harness` replay.
public struct HarnessReplayOptions: Sendable {
    /// The directory holding `parallax-agent` (the relay and the recording shell), bound read-only
    /// into the sandbox at `/opt/parallax/bin`.
    public var binaries: String
    /// How long the agent may run before the sandbox is killed.
    public var timeout: Duration = .seconds(600)
    /// The loopback port the agent's base URLs name inside the sandbox; nil: the port of the
    /// recorded `OPENAI_BASE_URL` when it was a local one, else 7439.
    public var port: UInt16?
    /// How strictly the agent's model calls must follow the recorded order.
    public var policy = TapePolicy()
    /// Called with one line at each stage, for progress output.
    public var progress: (@Sendable (String) -> Void)?

    public init(binaries: String) {
        self.binaries = binaries
    }
}

/// Replays a recorded session by running its agent command again: over the materialized start
/// snapshot, in the sandbox, with every model call answered from the session's tape (through a
/// relay, since the sandbox has no network) and every `$SHELL -c` going through the recording
/// shell to a recorder on the host. The report holds one step per recorded model call and per
/// recorded command, plus the commands the replayed agent ran that the recording does not have.
public struct HarnessReplay {
    public let session: RecordedSession
    public let blobs: any BlobSource
    public let sandbox: any Sandbox
    /// The host directory the workspace is materialized into (empty or absent).
    public let workspace: String
    public var options: HarnessReplayOptions

    /// Where the parts appear inside the sandbox.
    static let binariesMount = "/opt/parallax/bin"
    static let runtimeMount = "/run/parallax"
    static let spoolMount = "/run/parallax-spool"

    public init(session: RecordedSession, blobs: any BlobSource, sandbox: any Sandbox, workspace: String, options: HarnessReplayOptions) {
        self.session = session
        self.blobs = blobs
        self.sandbox = sandbox
        self.workspace = workspace
        self.options = options
    }

    /// Runs the replay; the result holds the report and the replay as a new session.
    public func run(sandboxName: String) throws(ReplayError) -> (report: ReplayReport, trace: ReplaySessionBuilder) {
        var report = ReplayReport(session: session.id, mode: "harness", sandbox: sandboxName, workspace: workspace)
        guard !session.agentCommand.isEmpty else {
            throw ReplayError(.invalidSession, "session.start names no agent command, so there is nothing to re-run")
        }
        guard access(options.binaries + "/parallax-agent", X_OK) == 0 else {
            throw ReplayError(.sandbox, "harness mode needs parallax-agent in \(options.binaries)")
        }
        let tape: Tape
        do {
            tape = try Tape(events: session.events, blob: { try? blobs.read($0) })
        } catch {
            throw ReplayError(error.code == .missingBlob ? .missingBlob : .invalidSession, "cannot build the model-call tape: \(error)")
        }
        let actions = ActionReplay(session: session, blobs: blobs, sandbox: sandbox, workspace: workspace)
        try actions.materializeStart(&report)
        let environment = actions.replayEnvironment(&report)
        options.progress?("materialized \(report.materialized.files) file(s); the tape holds \(tape.entries.count) model call(s)")

        let replayID = SessionID.generate()
        let variables = agentEnvironment(environment, session: replayID)
        var startData = actions.startData(mode: "harness")
        startData["command"] = .array(session.agentCommand.map(JSONValue.string))
        let runtime = try HarnessRuntime(workspace: workspace, session: replayID, startData: startData, baseEnvironment: variables)
        defer { runtime.remove() }
        let tapeServer = TapeServer(tape: tape, policy: options.policy)
        do {
            try tapeServer.start(unixSocket: runtime.tapeSocket)
        } catch {
            throw ReplayError(.sandbox, "cannot serve the tape: \(error)")
        }
        let recorderServer: RecorderSocketServer
        do {
            recorderServer = try RecorderSocketServer(path: runtime.recorderSocket, handler: runtime.host.handle)
        } catch {
            tapeServer.stop()
            throw ReplayError(.sandbox, "cannot listen for the recording shell: \(error)")
        }

        let command = sandboxCommand(variables, pins: environment.basePins, runtime: runtime, mountPoint: actions.mountPoint)
        options.progress?("running \(ActionReplay.shorten(session.agentCommand.joined(separator: " "))) with the tape on 127.0.0.1:\(port)")
        let result: SandboxResult
        do {
            result = try sandbox.run(command)
        } catch {
            recorderServer.stop()
            tapeServer.stop()
            throw ReplayError(error.code == .invalidCommand ? .invalidSession : .sandbox, "cannot run the agent: \(error.reason)")
        }
        recorderServer.stop()
        tapeServer.stop()
        let replayed = try runtime.finish()
        report.notes.append(agentNote(result))

        var comparison = HarnessComparison(session: session, tape: tape, served: tapeServer.served,
                                           divergences: tapeServer.divergences, replayed: replayed)
        comparison.recordedBlob = { [blobs] digest in (try? blobs.read(digest)).flatMap { Digest.sha256($0) == digest ? $0 : nil } }
        comparison.replayedBlob = runtime.blob
        report.steps = comparison.steps()
        for (index, step) in report.steps.enumerated() {
            options.progress?("[\(index + 1)/\(report.steps.count)] \(step.kind) seq \(step.seq) \(step.verdict.rawValue): \(step.summary)")
        }
        let trace = HarnessTrace(replay: actions, runtime: runtime, blobs: blobs).build(
            replayed: replayed, served: tapeServer.served, tape: tape, report: &report)
        return (report, trace)
    }

    /// The port the agent's base URLs name inside the sandbox.
    var port: UInt16 {
        if let port = options.port { return port }
        if let recorded = session.recordedModelPort { return recorded }
        return 7439
    }

    /// The recorded environment with the tape, the recording shell and the replay's recorder wired in.
    func agentEnvironment(_ environment: ReplayEnvironment, session replayID: SessionID) -> [String: String] {
        var variables = environment.variables
        for name in ReplayEnvironment.recorderVariables { variables[name] = nil }
        let recordedShell = variables["SHELL"].flatMap { $0.hasSuffix("/" + RecordingShellName.link) ? nil : $0 }
        variables["PARALLAX_REAL_SHELL"] = session.agentShell ?? recordedShell.flatMap { access($0, X_OK) == 0 ? $0 : nil } ?? "/bin/bash"
        variables["SHELL"] = Self.runtimeMount + "/" + RecordingShellName.link
        variables["PARALLAX_SOCKET"] = Self.runtimeMount + "/" + HarnessRuntime.recorderSocketName
        variables["PARALLAX_SPOOL"] = Self.spoolMount
        variables["PARALLAX_SESSION"] = replayID.string
        for (name, value) in ModelBaseURLs(port: port).environment { variables[name] = value }
        return variables
    }

    /// The agent under the relay, with the clock started at the session's start.
    func sandboxCommand(_ variables: [String: String], pins basePins: SandboxPins, runtime: HarnessRuntime, mountPoint: String) -> SandboxCommand {
        var pins = basePins
        let start = session.start.ts.microseconds
        let seconds = start >= 0 ? start / 1_000_000 : (start - 999_999) / 1_000_000
        pins.time = seconds
        pins.timeMicroseconds = start - seconds * 1_000_000
        pins.sourceDateEpoch = seconds

        var agent = session.agentCommand
        if session.agentShell != nil {
            // Recorded through the recording shell as its first command: replayed the same way.
            agent = [Self.runtimeMount + "/" + RecordingShellName.link] + agent.dropFirst()
        }
        let argv = [Self.binariesMount + "/parallax-agent", "relay", "--port", String(port),
                    "--socket", Self.runtimeMount + "/" + HarnessRuntime.tapeSocketName, "--"] + agent
        var command = SandboxCommand(argv: argv, workspace: workspace, workspaceMount: mountPoint, cwd: mountPoint,
                                     environment: variables, pins: pins, timeout: options.timeout)
        command.outputLimit = 1 << 20
        command.mounts = [
            SandboxMount(source: options.binaries, target: Self.binariesMount),
            SandboxMount(source: runtime.runtimeDirectory, target: Self.runtimeMount),
            SandboxMount(source: runtime.dropDirectory, target: Self.spoolMount, writable: true),
        ]
        return command
    }

    /// How the replayed agent ended, beside how the recorded one did.
    func agentNote(_ result: SandboxResult) -> String {
        let recorded = session.events.last { $0.kind == .processExec && $0.data["agent_process"]?.boolValue == true }
        let recordedText = recorded.map { event in
            event.data["exit_code"]?.int64Value.map { "exit \($0)" } ?? event.data["signal"]?.stringValue ?? "unknown"
        } ?? "not recorded"
        var note = "the agent ended with \(result.timedOut ? "a kill after the \(options.timeout) timeout" : result.termination.description) (recorded: \(recordedText))"
        let relayLines = result.stderrText.split(separator: "\n").filter { $0.hasPrefix("parallax relay") || $0.hasPrefix("parallax-agent") }
        if let line = relayLines.first { note += "; \(line)" }
        return note
    }
}

/// The name the recording shell is invoked by (kept here so the Replayer needs no AgentCLI).
enum RecordingShellName {
    static let link = "parallax-shell"
}

extension RecordedSession {
    static let shells: Set<String> = ["bash", "sh", "dash", "zsh", "ksh"]

    /// When the agent command is a shell's `-c` that `parallax record --shell` ran through the
    /// recording shell (so it is a recorded command itself, and no `agent_process` was written):
    /// the real shell the recording used.
    var agentShell: String? {
        guard let program = agentCommand.first?.split(separator: "/").last.map(String.init), Self.shells.contains(program),
              agentCommand.dropFirst().contains(where: { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("c") }),
              !events.contains(where: { $0.kind == .processExec && $0.data["agent_process"]?.boolValue == true }) else { return nil }
        for event in events where event.kind == .processExec {
            guard let argv = event.data["argv"]?.arrayValue?.compactMap(\.stringValue), argv.count == agentCommand.count,
                  argv.dropFirst() == agentCommand.dropFirst(), argv[0].hasSuffix("/" + program) else { continue }
            return argv[0]
        }
        return nil
    }

    /// The loopback port of the `OPENAI_BASE_URL` the recorded agent was given, if it had a local one.
    var recordedModelPort: UInt16? {
        for event in events where event.kind == .processExec {
            guard let url = event.data["env"]?["OPENAI_BASE_URL"]?.stringValue else { continue }
            for prefix in ["http://127.0.0.1:", "http://localhost:"] where url.hasPrefix(prefix) {
                if let port = UInt16(url.dropFirst(prefix.count).prefix { $0.isNumber }), port > 0 { return port }
            }
        }
        return nil
    }
}
