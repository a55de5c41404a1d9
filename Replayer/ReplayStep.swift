import TraceModel

/// One action of a recorded session that an `actions` replay performs again.
public enum ReplayStep: Sendable {
    /// A recorded `process.exec`, with the `file.write` / `file.delete` events it caused.
    case exec(Event, ProcessExec, changes: [Event])
    /// A `file.write` or `file.delete` no command caused: an edit made directly (by a tool, or
    /// noticed between commands), applied as recorded.
    case edit(Event)
    /// A recorded action that is not re-executed, and why.
    case skip(Event, reason: String)

    public var event: Event {
        switch self {
        case .exec(let event, _, _), .edit(let event), .skip(let event, _): event
        }
    }

    public var seq: UInt64 { event.seq }
}

extension RecordedSession {
    /// The steps of an `actions` replay, in seq order, up to and including `until`.
    public func actionSteps(until: UInt64? = nil) -> [ReplayStep] {
        var caused: [UInt64: [Event]] = [:]
        for event in events where event.kind == .fileWrite || event.kind == .fileDelete {
            if let cause = event.cause { caused[cause, default: []].append(event) }
        }
        var steps: [ReplayStep] = []
        let execSeqs = Set(events.lazy.filter { $0.kind == .processExec }.map(\.seq))
        let lastExecSeq = execSeqs.max()
        for event in events {
            if let until, event.seq > until { break }
            switch event.kind {
            case .processExec:
                let exec: ProcessExec
                do {
                    exec = try ProcessExec(reading: FieldReader(event.data, path: "data"))
                } catch {
                    steps.append(.skip(event, reason: "the recorded process.exec is unreadable: \(error)"))
                    continue
                }
                if isAgentProcess(event, exec, last: event.seq == lastExecSeq) {
                    steps.append(.skip(event, reason: "the agent command itself; its recorded commands are the steps (harness mode re-runs it)"))
                } else {
                    steps.append(.exec(event, exec, changes: caused[event.seq] ?? []))
                }
            case .fileWrite, .fileDelete:
                guard let cause = event.cause else {
                    steps.append(.edit(event))
                    continue
                }
                // Part of its command's step, unless that command is not an exec step of this replay.
                if !execSeqs.contains(cause) {
                    steps.append(.edit(event))
                }
            default:
                continue
            }
        }
        return steps
    }

    /// `parallax record` writes the agent command's own process.exec last, marked `agent_process`
    /// (older recordings: same argv as the session's command, and no captured output).
    private func isAgentProcess(_ event: Event, _ exec: ProcessExec, last: Bool) -> Bool {
        if event.data["agent_process"]?.boolValue == true { return true }
        return last && !agentCommand.isEmpty && exec.argv == agentCommand && exec.pid == nil && exec.stdoutBytes == nil
    }
}
