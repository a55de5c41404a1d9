import Recorder
import TraceModel

extension ActionReplay {
    /// Re-executes one recorded command and compares it with the recording.
    func replayExec(_ event: Event, _ exec: ProcessExec, _ changes: [Event], _ context: inout StepContext) throws(ReplayError) -> StepReport {
        let summary = Self.shorten(Self.commandLine(exec.argv))
        guard let cwd = mountedDirectory(exec.cwd) else {
            // Absorb whatever changed so the next step's comparison is its own.
            _ = try? context.tracker.changesSinceLastScan()
            return skipped(event, "exec", summary, "it ran in \(exec.cwd), outside the recorded workspace \(session.workspaceRoot)")
        }
        let durationUs = Int64((exec.durationMs ?? 0) * 1000)
        let started = Timestamp(microseconds: event.ts.microseconds - max(0, durationUs))
        let (environment, pins) = context.environment.command(exec, startedAt: started)
        var command = SandboxCommand(argv: exec.argv, workspace: workspace, workspaceMount: mountPoint, cwd: cwd,
                                     environment: environment, pins: pins, timeout: options.stepTimeout)
        command.outputLimit = 64 << 20
        let result: SandboxResult
        do {
            result = try sandbox.run(command)
        } catch {
            if error.code == .unavailable { throw ReplayError(.sandbox, error.reason) }
            _ = try? context.tracker.changesSinceLastScan()
            return skipped(event, "exec", summary, "the sandbox could not run it: \(error.reason)")
        }
        let replayedChanges: [EventDraft]
        do {
            replayedChanges = try context.tracker.changesSinceLastScan()
        } catch {
            throw ReplayError(.workspace, "cannot scan the workspace after seq \(event.seq): \(error)")
        }

        var step = StepReport(seq: event.seq, kind: "exec", summary: summary, verdict: .match)
        step.durationMs = Double(result.durationNanoseconds) / 1e6
        var missingContent = false
        if result.timedOut {
            step.differences.append(StepDifference(field: "exit", recorded: recordedTermination(exec),
                                                   replayed: "killed after the \(options.stepTimeout) step timeout"))
        } else if let difference = compareTermination(exec, result.termination) {
            step.differences.append(difference)
        }
        for (name, replayed, digest, size) in [("stdout", result.stdout, result.stdoutDigest, result.stdoutSize),
                                              ("stderr", result.stderr, result.stderrDigest, result.stderrSize)] {
            switch compareOutput(name, event, exec, replayed: replayed, digest: digest, size: size) {
            case .same: break
            case .notKept: missingContent = true
            case .different(let difference): step.differences.append(difference)
            }
        }
        let workspaceDifference = compareChanges(recorded: changes, replayed: replayedChanges)
        if let workspaceDifference { step.differences.append(workspaceDifference) }
        let touched = Set(changes.compactMap { $0.data["path"]?.stringValue })
        let commandText = exec.argv.joined(separator: " ")
        if !touched.isDisjoint(with: context.missingPaths) || context.missingPaths.contains(where: commandText.contains) {
            missingContent = true
        }

        if !step.differences.isEmpty {
            step.verdict = .diverged
            let (cause, evidence) = CauseInference.infer(argv: exec.argv, replayStderr: result.stderrText, differences: step.differences,
                                                         missingContent: missingContent || !context.missingPaths.isEmpty && step.differences.contains { $0.field == "workspace" },
                                                         workspaceDiverged: context.workspaceDiverged)
            step.cause = cause
            step.evidence = evidence
        }
        let execSeq = record(exec, result, context.trace)
        for change in replayedChanges {
            context.trace.add(change.kind, actor: .agent, cause: execSeq, data: change.data)
        }
        if workspaceDifference != nil {
            if options.resync {
                step.resynced = resync(changes, replayedChanges, &context)
            } else {
                context.workspaceDiverged = true
            }
        }
        return step
    }

    /// Applies one direct file edit as recorded.
    func replayEdit(_ event: Event, _ context: inout StepContext) throws(ReplayError) -> StepReport {
        let path = event.data["path"]?.stringValue ?? "?"
        let verb = event.kind == .fileDelete ? "delete" : "write"
        var step = StepReport(seq: event.seq, kind: "edit", summary: Self.shorten("\(verb) \(path)"), verdict: .match)
        switch WorkspaceEditor(root: workspace, blobs: blobs).apply(event) {
        case .applied:
            context.missingPaths.remove(path)
            context.trace.add(event.kind, actor: event.actor, data: event.data, blobs: event.blobs)
        case .missing(let reason):
            step.verdict = .skipped
            step.reason = reason
            step.cause = .missingBlob
            context.missingPaths.insert(path)
        case .refused(let reason):
            step.verdict = .skipped
            step.reason = "refused: \(reason)"
        }
        do {
            _ = try context.tracker.changesSinceLastScan()
        } catch {
            throw ReplayError(.workspace, "cannot scan the workspace after seq \(event.seq): \(error)")
        }
        return step
    }

    // MARK: - Comparisons

    enum OutputComparison {
        case same
        case notKept
        case different(StepDifference)
    }

    func compareOutput(_ name: String, _ event: Event, _ exec: ProcessExec, replayed: [UInt8], digest: Digest, size: UInt64) -> OutputComparison {
        let inline = name == "stdout" ? exec.stdout : exec.stderr
        let recordedSize = name == "stdout" ? exec.stdoutBytes : exec.stderrBytes
        var recordedBytes: [UInt8]?
        var recordedDigest: Digest
        if let blob = event.blobs[name] {
            recordedDigest = blob
            recordedBytes = try? blobs.read(blob)
            if let bytes = recordedBytes, Digest.sha256(bytes) != blob { recordedBytes = nil }
        } else if let inline {
            recordedBytes = Array(inline.utf8)
            recordedDigest = Digest.sha256(recordedBytes!)
        } else if recordedSize == nil || recordedSize == 0 {
            recordedBytes = []
            recordedDigest = Digest.sha256([])
        } else {
            // Output existed but was neither inline nor kept.
            return .notKept
        }
        if recordedDigest == digest { return .same }
        let recordedText = recordedBytes.flatMap { String(validating: $0, as: UTF8.self) }
        let replayedText = String(validating: replayed, as: UTF8.self)
        let diff = recordedText.flatMap { a in replayedText.map { TextDiff.lines(recorded: a, replayed: $0) } }
        return .different(StepDifference(field: name, recorded: "\(recordedSize ?? Int64(recordedBytes?.count ?? 0)) bytes, \(recordedDigest)",
                                         replayed: "\(size) bytes, \(digest)", diff: diff))
    }

    func compareTermination(_ exec: ProcessExec, _ termination: SandboxResult.Termination) -> StepDifference? {
        let recorded = recordedTermination(exec)
        let replayed: String
        switch termination {
        case .exited(let code):
            // Under bubblewrap a signal death shows as exit 128 + N.
            if code > 128, let signal = exec.signal, SignalNames.name(code - 128) == signal { return nil }
            replayed = "exit \(code)"
        case .signaled(let signal):
            replayed = SignalNames.name(signal)
        }
        return recorded == replayed ? nil : StepDifference(field: "exit", recorded: recorded, replayed: replayed)
    }

    func recordedTermination(_ exec: ProcessExec) -> String {
        if let code = exec.exitCode { return "exit \(code)" }
        return exec.signal ?? "unknown"
    }

    /// Compares the files the recording says the command changed with those it changed now.
    func compareChanges(recorded: [Event], replayed: [EventDraft]) -> StepDifference? {
        func key(_ kind: EventKind, _ data: [String: JSONValue]) -> (String, String)? {
            guard let path = data["path"]?.stringValue else { return nil }
            return (path, kind == .fileDelete ? "deleted" : (data["after"]?.stringValue ?? "?"))
        }
        let before = Dictionary(recorded.compactMap { key($0.kind, $0.data) }, uniquingKeysWith: { _, last in last })
        let after = Dictionary(replayed.compactMap { key($0.kind, $0.data) }, uniquingKeysWith: { _, last in last })
        guard before != after else { return nil }
        var lines: [String] = []
        for path in Set(before.keys).union(after.keys).sorted() {
            switch (before[path], after[path]) {
            case let (r?, p?) where r != p: lines.append("~ \(path): recorded \(Self.shortDigest(r)), replay \(Self.shortDigest(p))")
            case let (r?, nil): lines.append("- \(path): recorded \(Self.shortDigest(r)), unchanged in the replay")
            case let (nil, p?): lines.append("+ \(path): changed only in the replay (\(Self.shortDigest(p)))")
            default: continue
            }
        }
        let shown = lines.prefix(20).joined(separator: "\n") + (lines.count > 20 ? "\n…" : "")
        return StepDifference(field: "workspace", recorded: "\(before.count) file change(s)", replayed: "\(after.count) file change(s)", diff: shown)
    }

    static func shortDigest(_ text: String) -> String {
        text == "deleted" ? text : text.hasPrefix("sha256:") ? String(text.prefix(19)) : text
    }

    /// Applies the recorded changes of a step whose changes differed; true when all could be applied.
    func resync(_ recorded: [Event], _ replayed: [EventDraft], _ context: inout StepContext) -> Bool {
        let editor = WorkspaceEditor(root: workspace, blobs: blobs)
        var complete = true
        for event in recorded {
            if case .applied = editor.apply(event) { continue }
            complete = false
        }
        // Files only the replay changed cannot be put back without their old content; they stay.
        let recordedPaths = Set(recorded.compactMap { $0.data["path"]?.stringValue })
        if replayed.contains(where: { !recordedPaths.contains($0.data["path"]?.stringValue ?? "") }) { complete = false }
        _ = try? context.tracker.changesSinceLastScan()
        if !complete { context.workspaceDiverged = true }
        return complete
    }

    // MARK: - Paths and events

    /// Where the workspace appears in the sandbox: the recorded root, unless that is not a safe
    /// place to mount over.
    var mountPoint: String {
        let root = session.workspaceRoot
        let parts = root.split(separator: "/")
        let unsafe = parts.isEmpty || parts.contains("..") || parts.contains(".")
            || ["proc", "dev", "sys", "usr", "bin", "sbin", "lib", "lib64", "etc"].contains(String(parts[0]))
        return unsafe ? "/workspace" : root
    }

    /// The recorded cwd as seen in the sandbox, or nil when it was outside the workspace.
    func mountedDirectory(_ cwd: String) -> String? {
        let root = session.workspaceRoot
        var relative: Substring
        if cwd == root {
            relative = ""
        } else if root == "/" {
            relative = cwd.dropFirst()
        } else if cwd.hasPrefix(root + "/") {
            relative = cwd.dropFirst(root.count + 1)
        } else {
            return nil
        }
        while relative.hasSuffix("/") { relative = relative.dropLast() }
        if relative.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) { return nil }
        return relative.isEmpty ? mountPoint : mountPoint + "/" + relative
    }

    /// Adds the replayed command to the replay session; returns its seq.
    func record(_ exec: ProcessExec, _ result: SandboxResult, _ trace: ReplaySessionBuilder) -> UInt64 {
        var data: [String: JSONValue] = [
            "argv": .array(exec.argv.map(JSONValue.string)),
            "cwd": .string(exec.cwd),
            "duration_ms": .number(JSONNumber(Double(result.durationNanoseconds) / 1e6) ?? JSONNumber(0)),
        ]
        if let env = exec.env { data["env"] = .object(env.mapValues { $0.map(JSONValue.string) ?? .null }) }
        switch result.termination {
        case .exited(let code): data["exit_code"] = .number(JSONNumber(Int64(code)))
        case .signaled(let signal): data["signal"] = .string(SignalNames.name(signal))
        }
        var names: [String: Digest] = [:]
        trace.output("stdout", result.stdout, total: result.stdoutSize, into: &data, blobs: &names)
        trace.output("stderr", result.stderr, total: result.stderrSize, into: &data, blobs: &names)
        return trace.add(.processExec, actor: .agent, data: data, blobs: names)
    }

    /// A command line for display: `bash -c '…'` shows the script.
    static func commandLine(_ argv: [String]) -> String {
        if argv.count >= 3, argv[1].hasPrefix("-"), argv[1].contains("c"), !argv[1].hasPrefix("--") {
            return argv[2]
        }
        return argv.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
    }
}
