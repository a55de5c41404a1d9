import ModelTape
import TraceModel

/// Holds a harness replay against its recording: each recorded model call (served from the tape,
/// diverged, or never made) and each recorded command, aligned with the replayed commands by argv
/// (longest common subsequence) and compared on exit status and stdout digest. Replayed commands
/// and model requests the recording does not have become `extra` steps.
struct HarnessComparison {
    let session: RecordedSession
    let tape: Tape
    let served: [TapeServedCall]
    let divergences: [TapeDivergence]
    /// The replay's own events (the recording shell's `process.exec`s among them).
    let replayed: [Event]
    /// Reads blobs of the recording and of the replay, for output diffs.
    var recordedBlob: (Digest) -> [UInt8]? = { _ in nil }
    var replayedBlob: (Digest) -> [UInt8]? = { _ in nil }

    /// A command as either side recorded it.
    struct Command {
        let event: Event
        let exec: ProcessExec

        var key: [String] { exec.argv }
    }

    /// How a divergent step's cause is decided once it is known whether an earlier step diverged.
    enum PendingCause {
        case inferred(argv: [String], stderr: String, differences: [StepDifference])
        case absent(String)
    }

    func steps() -> [StepReport] {
        var items: [(order: (UInt64, Int), step: StepReport, cause: PendingCause?)] = []
        var extras = 0
        func add(_ step: StepReport, _ cause: PendingCause?, extraAfter anchor: UInt64? = nil) {
            if let anchor {
                extras += 1
                items.append(((anchor, extras), step, cause))
            } else {
                items.append(((step.seq, 0), step, cause))
            }
        }
        for (step, cause, anchor) in modelSteps() { add(step, cause, extraAfter: anchor) }
        for (step, cause, anchor) in commandSteps() { add(step, cause, extraAfter: anchor) }
        items.sort { $0.order < $1.order }

        var earlier: StepReport?
        var result: [StepReport] = []
        for var item in items {
            if let pending = item.cause {
                (item.step.cause, item.step.evidence) = Self.decide(pending, earlier: earlier)
            }
            if item.step.verdict.isDivergence, earlier == nil { earlier = item.step }
            result.append(item.step)
        }
        return result
    }

    static func decide(_ pending: PendingCause, earlier: StepReport?) -> (DivergenceCause, String) {
        switch pending {
        case .inferred(let argv, let stderr, let differences):
            let (cause, evidence) = CauseInference.infer(argv: argv, replayStderr: stderr, differences: differences,
                                                         missingContent: false, workspaceDiverged: earlier != nil)
            if cause == .earlierDivergence, let earlier { return (cause, "\(earlier.kind) seq \(earlier.seq) diverged first") }
            return (cause, evidence)
        case .absent(let text):
            if let earlier {
                return (.earlierDivergence, "\(text) after \(earlier.kind) seq \(earlier.seq) diverged")
            }
            return (.unknown, "\(text), and nothing before it diverged: the agent itself or its inputs changed")
        }
    }

    // MARK: - Model calls

    func modelSteps() -> [(StepReport, PendingCause?, UInt64?)] {
        var out: [(StepReport, PendingCause?, UInt64?)] = []
        let servedEntries = Set(served.map(\.entry))
        var claimed: Set<Int> = []
        for entry in tape.entries {
            var step = StepReport(seq: entry.requestSeq, kind: "model", summary: Self.summary(entry), verdict: .match)
            if servedEntries.contains(entry.index) {
                out.append((step, nil, nil))
                continue
            }
            let here = divergences.indices.filter { divergences[$0].expectedSeq == entry.requestSeq }
            guard let first = here.first else {
                step.verdict = .missing
                step.reason = "the replayed agent never made this call"
                out.append((step, .absent("the replayed agent did not make this call"), nil))
                continue
            }
            claimed.formUnion(here)
            let divergence = divergences[first]
            step.verdict = .diverged
            step.differences = [StepDifference(
                field: "request", recorded: "\(entry.digest) (seq \(entry.requestSeq))",
                replayed: "\(divergence.got.map(\.description) ?? "no digest") (request \(divergence.requestIndex))",
                diff: "\(divergence.reason.rawValue): \(divergence.message)" + (here.count > 1 ? " (\(here.count - 1) more request(s) diverged here)" : ""))]
            out.append((step, .absent("the agent's request \(divergence.requestIndex) is not the recorded one (\(divergence.reason.rawValue))"), nil))
        }
        // Where each request landed on the tape, to place the extra ones after the last that did.
        var landed: [(request: Int, seq: UInt64)] = served.map { ($0.requestIndex, tape.entries[$0.entry].requestSeq) }
        for index in claimed { if let seq = divergences[index].expectedSeq { landed.append((divergences[index].requestIndex, seq)) } }
        for index in divergences.indices where !claimed.contains(index) {
            let divergence = divergences[index]
            var step = StepReport(seq: 0, kind: "model", summary: "\(divergence.endpoint) (request \(divergence.requestIndex))", verdict: .extra)
            step.seq = landed.filter { $0.request < divergence.requestIndex }.max { $0.request < $1.request }?.seq ?? 0
            step.differences = [StepDifference(field: "request", recorded: "nothing", replayed: divergence.got.map(\.description) ?? "no digest",
                                               diff: "\(divergence.reason.rawValue): \(divergence.message)")]
            out.append((step, .absent("the agent made request \(divergence.requestIndex), which the recording does not have"), step.seq))
        }
        return out
    }

    static func summary(_ entry: TapeEntry) -> String {
        var path = entry.endpoint ?? ""
        if let scheme = path.range(of: "://"), let slash = path[scheme.upperBound...].firstIndex(of: "/") { path = String(path[slash...]) }
        return "\(entry.provider) \(entry.model) call \(entry.index)\(path.isEmpty ? "" : " " + path)\(entry.stream ? " (stream)" : "")"
    }

    // MARK: - Commands

    var recordedCommands: [Command] {
        session.events.compactMap { event in
            guard event.kind == .processExec, event.data["agent_process"]?.boolValue != true,
                  let exec = try? ProcessExec(reading: FieldReader(event.data, path: "data")), !exec.argv.isEmpty else { return nil }
            return Command(event: event, exec: exec)
        }
    }

    var replayedCommands: [Command] {
        replayed.compactMap { event in
            guard event.kind == .processExec, let exec = try? ProcessExec(reading: FieldReader(event.data, path: "data")) else { return nil }
            return Command(event: event, exec: exec)
        }
    }

    func commandSteps() -> [(StepReport, PendingCause?, UInt64?)] {
        let recorded = recordedCommands
        let replayed = replayedCommands
        var out: [(StepReport, PendingCause?, UInt64?)] = []
        var anchor: UInt64 = 0
        var i = 0, j = 0
        for (pi, pj) in Self.align(recorded.map(\.key), replayed.map(\.key)) + [(recorded.count, replayed.count)] {
            // The unmatched stretch before this pair: side by side first, then what is left over.
            while i < pi, j < pj {
                out.append(differentCommand(recorded[i], replayed[j]))
                anchor = recorded[i].event.seq
                i += 1; j += 1
            }
            while i < pi {
                var step = StepReport(seq: recorded[i].event.seq, kind: "exec", summary: Self.summary(recorded[i].exec), verdict: .missing)
                step.reason = "the replayed agent did not run it"
                out.append((step, .absent("the replayed agent did not run this command"), nil))
                anchor = recorded[i].event.seq
                i += 1
            }
            while j < pj {
                var step = StepReport(seq: anchor, kind: "exec", summary: Self.summary(replayed[j].exec), verdict: .extra)
                step.replaySeq = replayed[j].event.seq
                step.differences = [StepDifference(field: "argv", recorded: "nothing", replayed: Self.summary(replayed[j].exec))]
                out.append((step, .absent("the replayed agent ran a command the recording does not have"), anchor))
                j += 1
            }
            guard pi < recorded.count else { break }
            out.append(sameCommand(recorded[pi], replayed[pj]))
            anchor = recorded[pi].event.seq
            i = pi + 1; j = pj + 1
        }
        return out
    }

    func sameCommand(_ recorded: Command, _ replayed: Command) -> (StepReport, PendingCause?, UInt64?) {
        var step = StepReport(seq: recorded.event.seq, kind: "exec", summary: Self.summary(recorded.exec), verdict: .match)
        step.replaySeq = replayed.event.seq
        step.durationMs = replayed.exec.durationMs
        let before = termination(recorded.exec), after = termination(replayed.exec)
        if before != after { step.differences.append(StepDifference(field: "exit", recorded: before, replayed: after)) }
        let (a, aText) = output(recorded, blob: recordedBlob), (b, bText) = output(replayed, blob: replayedBlob)
        if a != b {
            let diff = aText.flatMap { x in bText.map { TextDiff.lines(recorded: x, replayed: $0) } }
            step.differences.append(StepDifference(field: "stdout", recorded: "\(recorded.exec.stdoutBytes ?? 0) bytes, \(a.map(\.description) ?? "not kept")",
                                                   replayed: "\(replayed.exec.stdoutBytes ?? 0) bytes, \(b.map(\.description) ?? "not kept")", diff: diff))
        }
        guard !step.differences.isEmpty else { return (step, nil, nil) }
        step.verdict = .diverged
        return (step, .inferred(argv: recorded.exec.argv, stderr: replayed.exec.stderr ?? "", differences: step.differences), nil)
    }

    func differentCommand(_ recorded: Command, _ replayed: Command) -> (StepReport, PendingCause?, UInt64?) {
        var step = StepReport(seq: recorded.event.seq, kind: "exec", summary: Self.summary(recorded.exec), verdict: .diverged)
        step.replaySeq = replayed.event.seq
        step.differences = [StepDifference(field: "argv", recorded: Self.summary(recorded.exec), replayed: Self.summary(replayed.exec))]
        return (step, .absent("the replayed agent ran a different command here"), nil)
    }

    func termination(_ exec: ProcessExec) -> String {
        if let code = exec.exitCode { return "exit \(code)" }
        return exec.signal ?? "unknown"
    }

    /// The stdout digest (nil when the output was neither inline nor kept) and its text when readable.
    func output(_ command: Command, blob: (Digest) -> [UInt8]?) -> (Digest?, String?) {
        if let digest = command.event.blobs["stdout"] {
            return (digest, blob(digest).flatMap { String(validating: $0, as: UTF8.self) })
        }
        if let text = command.exec.stdout { return (Digest.sha256(Array(text.utf8)), text) }
        if (command.exec.stdoutBytes ?? 0) == 0 { return (Digest.sha256([]), "") }
        return (nil, nil)
    }

    static func summary(_ exec: ProcessExec) -> String {
        ActionReplay.shorten(ActionReplay.commandLine(exec.argv))
    }

    /// Index pairs of a longest common subsequence of `a` and `b`, in order. Past a size where the
    /// table would be too large, only a common prefix and suffix are paired.
    static func align(_ a: [[String]], _ b: [[String]]) -> [(Int, Int)] {
        guard a.count * b.count <= 4_000_000 else {
            var pairs: [(Int, Int)] = []
            var k = 0
            while k < a.count, k < b.count, a[k] == b[k] { pairs.append((k, k)); k += 1 }
            var tail: [(Int, Int)] = []
            var x = a.count - 1, y = b.count - 1
            while x >= k, y >= k, a[x] == b[y] { tail.append((x, y)); x -= 1; y -= 1 }
            return pairs + tail.reversed()
        }
        var table = [[Int32]](repeating: [Int32](repeating: 0, count: b.count + 1), count: a.count + 1)
        for x in stride(from: a.count - 1, through: 0, by: -1) {
            for y in stride(from: b.count - 1, through: 0, by: -1) {
                table[x][y] = a[x] == b[y] ? table[x + 1][y + 1] + 1 : max(table[x + 1][y], table[x][y + 1])
            }
        }
        var pairs: [(Int, Int)] = []
        var x = 0, y = 0
        while x < a.count, y < b.count {
            if a[x] == b[y] {
                pairs.append((x, y)); x += 1; y += 1
            } else if table[x + 1][y] >= table[x][y + 1] {
                x += 1
            } else {
                y += 1
            }
        }
        return pairs
    }
}
