import AgentCLI
import CLIKit
import Foundation
import ModelTape
import Recorder
import TraceModel

/// One run of `parallax record`: start the session, run the command, end the session.
final class RecordSession {
    let arguments: Arguments
    let console: Console
    let environment: [String: String]
    let command: [String]

    init(_ arguments: Arguments, _ console: Console) {
        self.arguments = arguments
        self.console = console
        environment = ProcessInfo.processInfo.environment
        command = arguments.positionals
    }

    static let shells: Set<String> = ["bash", "sh", "dash", "zsh", "ksh"]

    func run() throws -> ExitCode {
        let spool = try openSpool()
        // Checked before the session starts, so a bad --collector or token never leaves a session half begun.
        let shipping = try BackgroundShipping(arguments: arguments, environment: environment, spool: spool, console: console)
        let proxyConfiguration = try modelProxyConfiguration()
        let workspace = try workspaceRoot()
        let tracker: SnapshotWorkspaceTracker
        do {
            tracker = try SnapshotWorkspaceTracker(root: workspace, blobs: spool.blobs, cachePath: cachePath(spool, workspace))
        } catch {
            throw CommandFailure(.failure, "cannot snapshot the workspace \(workspace): \(error)")
        }
        let redactor = Redactor(literals: [arguments.option("token") ?? environment["PARALLAX_TOKEN"]].compactMap { $0 })
        let fingerprint = EnvironmentFingerprint.capture(cwd: workspace, environment: environment, redactor: redactor)
        let environmentBlob = try spool.blobs.store(fingerprint.bytes)
        let session = SessionID.generate()
        let startDraft = try startEvent(fingerprint: fingerprint.fingerprint, snapshot: tracker.startDigest, workspace: workspace,
                                        environmentBlob: environmentBlob)
        let recorder: SessionRecorder
        do {
            recorder = try SessionRecorder.create(spool: spool, start: startDraft, session: session, redactor: redactor)
        } catch {
            throw CommandFailure(.failure, "cannot start the session in the spool \(spool.path): \(error)")
        }
        if let warning = spool.insecurityWarning(agentUID: getuid()) {
            console.error("parallax record: warning: \(warning)")
            try recorder.record(EventDraft(kind: .recorderNotice, actor: .recorder,
                                           data: ["code": .string("spool_insecure"), "message": .string(warning)]))
        }
        if let idFile = arguments.option("id-file") {
            try? Data((session.string + "\n").utf8).write(to: URL(fileURLWithPath: idFile))
        }
        console.error("parallax record: session \(session) (spool \(spool.path))")

        let runtime = try RuntimeDirectory()
        defer { runtime.remove() }
        var childEnvironment = environment
        childEnvironment["PARALLAX_SESSION"] = session.string
        childEnvironment["PARALLAX_SOCKET"] = runtime.socketPath
        childEnvironment["PARALLAX_SPOOL"] = spool.path
        var argv = command
        var throughShell = false
        if arguments.flag("shell") {
            let link = try runtime.linkRecordingShell()
            childEnvironment["PARALLAX_REAL_SHELL"] = realShell(environment["SHELL"])
            childEnvironment["SHELL"] = link
            let program = URL(fileURLWithPath: command[0]).lastPathComponent
            if Self.shells.contains(program), command.dropFirst().contains(where: { $0.hasPrefix("-") && $0.contains("c") }) {
                childEnvironment["PARALLAX_REAL_SHELL"] = resolveExecutable(command[0], path: environment["PATH"])
                argv = [link] + command.dropFirst()
                throughShell = true
            }
        }
        let started = DispatchTime.now()
        var proxy: RecordingProxy?
        if let proxyConfiguration {
            do {
                let running = try RecordingProxy(configuration: proxyConfiguration,
                                                 sink: RecorderModelEventSink(recorder: recorder, blobs: spool.blobs))
                let urls = try running.start()
                for (name, value) in urls.environment { childEnvironment[name] = value }
                console.error("parallax record: model-API proxy on \(urls.anthropic) (OpenAI → \(proxyConfiguration.openAIUpstream), Anthropic → \(proxyConfiguration.anthropicUpstream))")
                proxy = running
            } catch {
                try endSession(recorder, host: SessionHost(recorder: recorder, workspace: tracker, baseEnvironment: childEnvironment),
                               tracker: tracker, termination: .exited(127), started: started)
                throw CommandFailure(.failure, "cannot start the model-API proxy: \(error)")
            }
        }
        let host = SessionHost(recorder: recorder, workspace: tracker, baseEnvironment: childEnvironment)
        let server = try RecorderSocketServer(path: runtime.socketPath, handler: host.handle)
        shipping?.start()

        let child: ChildProcess
        do {
            child = try ChildProcess(argv: argv, environment: childEnvironment)
        } catch {
            proxy?.stop()
            server.stop()
            try endSession(recorder, host: host, tracker: tracker, termination: .exited(127), started: started)
            shipping?.finish()
            throw error
        }
        child.forwardSignals()
        let termination = child.wait()
        if let proxy {
            if !proxy.stop(timeoutSeconds: 10) {
                console.error("parallax record: warning: model calls still running when the command ended could not all be recorded")
            }
            if proxy.proxy.recordingFailures > 0 {
                console.error("parallax record: warning: \(proxy.proxy.recordingFailures) model call(s) could not be recorded")
            }
        }
        server.stop()
        if !throughShell {
            try recordTopLevel(recorder, termination: termination, started: started, cwd: workspace)
        }
        try endSession(recorder, host: host, tracker: tracker, termination: termination, started: started)
        shipping?.finish()
        throw PassThroughExit(termination.shellStatus)
    }

    /// The proxy's upstreams when --proxy is given (options, then PARALLAX_UPSTREAM_*, then the real APIs).
    func modelProxyConfiguration() throws -> ModelProxyConfiguration? {
        guard arguments.flag("proxy") else {
            for option in ["upstream-openai", "upstream-anthropic"] where arguments.option(option) != nil {
                throw UsageError("record: --\(option) needs --proxy")
            }
            return nil
        }
        let configuration = ModelProxyConfiguration(
            openAIUpstream: arguments.option("upstream-openai") ?? environment["PARALLAX_UPSTREAM_OPENAI"]
                ?? ModelProxyConfiguration.defaultOpenAIUpstream,
            anthropicUpstream: arguments.option("upstream-anthropic") ?? environment["PARALLAX_UPSTREAM_ANTHROPIC"]
                ?? ModelProxyConfiguration.defaultAnthropicUpstream)
        do {
            try configuration.validate()
        } catch {
            throw UsageError("record: \(error.message)")
        }
        return configuration
    }

    func openSpool() throws -> Spool {
        var options = SpoolOptions()
        if let text = arguments.option("fsync") {
            guard let policy = FsyncPolicy(text) else { throw UsageError("record: --fsync must be always, interval or never, got \"\(text)\"") }
            options.fsync = policy
        }
        if let text = arguments.option("spool-full") {
            guard let policy = SpoolFullPolicy(text) else { throw UsageError("record: --spool-full must be block or drop-oldest, got \"\(text)\"") }
            options.full = policy
        }
        if let text = arguments.option("spool-max") {
            guard let bytes = Int(text), bytes > 0 else { throw UsageError("record: --spool-max must be a positive number of bytes, got \"\(text)\"") }
            options.maxBytes = bytes
        }
        let path = arguments.option("spool") ?? SpoolLocation.defaultPath(environment)
        do {
            return try Spool(path: path, options: options)
        } catch {
            throw CommandFailure(.failure, "cannot open the spool \(path): \(error)")
        }
    }

    func workspaceRoot() throws -> String {
        let path = URL(fileURLWithPath: arguments.option("workspace") ?? FileManager.default.currentDirectoryPath).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure(.failure, "the workspace \(path) is not a directory")
        }
        return path
    }

    func cachePath(_ spool: Spool, _ workspace: String) -> String {
        spool.path + "/cache/stat-" + Digest.sha256(Array(workspace.utf8)).hex.prefix(16)
    }

    func startEvent(fingerprint: Digest, snapshot: Digest, workspace: String, environmentBlob: Digest) throws -> EventDraft {
        var agent: [String: JSONValue] = ["name": .string(arguments.option("agent") ?? URL(fileURLWithPath: command[0]).lastPathComponent)]
        if let version = environment["PARALLAX_AGENT_VERSION"] { agent["version"] = .string(version) }
        var data: [String: JSONValue] = [
            "agent": .object(agent),
            "command": .array(command.map(JSONValue.string)),
            "worker": .string(Self.hostName()),
            "cwd": .string(workspace),
            "env_fingerprint": .string(fingerprint.description),
            "snapshot": .string(snapshot.description),
        ]
        if let task = arguments.option("task") { data["task"] = .string(task) }
        if let condition = arguments.option("condition") {
            guard !condition.isEmpty else { throw UsageError("record: --condition must not be empty") }
            data["condition"] = .string(condition)
        }
        let cues = arguments.all("cue")
        if !cues.isEmpty { data["cues"] = .array(cues.map(JSONValue.string)) }
        var labels: [String: JSONValue] = [:]
        for label in arguments.all("label") {
            guard let eq = label.firstIndex(of: "="), eq != label.startIndex else {
                throw UsageError("record: --label must be KEY=VALUE, got \"\(label)\"")
            }
            labels[String(label[..<eq])] = .string(String(label[label.index(after: eq)...]))
        }
        if !labels.isEmpty { data["labels"] = .object(labels) }
        do {
            _ = try EventPayload(kind: .sessionStart, data: data)
        } catch {
            throw UsageError("record: session.start would be invalid: \(error)")
        }
        return EventDraft(kind: .sessionStart, actor: .recorder, data: data,
                          blobs: ["environment": environmentBlob, "snapshot": snapshot])
    }

    func recordTopLevel(_ recorder: SessionRecorder, termination: ChildProcess.Termination, started: DispatchTime, cwd: String) throws {
        var data: [String: JSONValue] = [
            "argv": .array(command.map(JSONValue.string)),
            "cwd": .string(cwd),
            "duration_ms": .number(JSONNumber(Self.milliseconds(since: started)) ?? JSONNumber(0)),
            // The agent command itself, as opposed to the commands it ran: replays leave it out.
            "agent_process": .bool(true),
        ]
        switch termination {
        case .exited(let code): data["exit_code"] = .number(JSONNumber(Int64(code)))
        case .signaled(let signal): data["signal"] = .string(SignalNames.name(signal))
        }
        try recorder.record(EventDraft(kind: .processExec, actor: .agent, data: data))
    }

    func endSession(_ recorder: SessionRecorder, host: SessionHost, tracker: SnapshotWorkspaceTracker,
                    termination: ChildProcess.Termination, started: DispatchTime) throws {
        var data: [String: JSONValue] = [
            "duration_ms": .number(JSONNumber(Self.milliseconds(since: started)) ?? JSONNumber(0)),
        ]
        var blobs: [String: Digest] = [:]
        do {
            let unaccounted = try host.recordChanges(cause: nil)
            if unaccounted > 0 { console.error("parallax record: \(unaccounted) file change(s) no command accounted for were recorded") }
            let snapshot = try tracker.currentSnapshotDigest()
            data["snapshot"] = .string(snapshot.description)
            blobs["snapshot"] = snapshot
        } catch {
            console.error("parallax record: warning: cannot take the end snapshot: \(error)")
            try recorder.record(EventDraft(kind: .recorderNotice, actor: .recorder, data: [
                "code": .string("snapshot_failed"), "message": .string("the end snapshot failed: \(error)")]))
        }
        switch termination {
        case .exited(let code):
            data["status"] = .string(code == 0 ? "completed" : "failed")
            data["exit_code"] = .number(JSONNumber(Int64(code)))
        case .signaled(let signal):
            data["status"] = .string("killed")
            data["signal"] = .string(SignalNames.name(signal))
        }
        try recorder.end(EventDraft(kind: .sessionEnd, actor: .recorder, data: data, blobs: blobs))
        recorder.close()
    }

    func realShell(_ configured: String?) -> String {
        if let configured, !configured.hasSuffix("/" + RecordingShell.linkName), FileManager.default.isExecutableFile(atPath: configured) {
            return configured
        }
        return "/bin/bash"
    }

    func resolveExecutable(_ name: String, path: String?) -> String {
        if name.contains("/") { return URL(fileURLWithPath: name).standardizedFileURL.path }
        for directory in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return name
    }

    /// The host's name from uname(2) (ProcessInfo.hostName resolves it through the network stack).
    static func hostName() -> String {
        var name = utsname()
        uname(&name)
        return withUnsafeBytes(of: name.nodename) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    static func milliseconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
    }
}
