import Synchronization
import TraceModel

/// The recorder side of a running session: answers the socket's requests by recording events,
/// turns the recording shell's `exec.begin`/`exec.end` into a `process.exec` followed by the file
/// changes that command made, and keeps account of which changes some event already described so
/// the end of the session records only the rest.
public final class SessionHost: Sendable {
    public let recorder: SessionRecorder
    private let workspace: (any WorkspaceTracker)?
    private let baseEnvironment: [String: String]
    private let state = Mutex(State())

    private struct State {
        var nextExecID: UInt64 = 1
        var openExecs: [UInt64: [String]] = [:]
        /// path → content after the change (nil: deleted), for every file event recorded so far.
        var described: [String: Digest?] = [:]
        var failures = 0
    }

    /// - Parameters:
    ///   - workspace: tracks file changes; nil records commands without attributing file changes.
    ///   - baseEnvironment: the agent's environment; a command's `env` is recorded as the delta against it.
    public init(recorder: SessionRecorder, workspace: (any WorkspaceTracker)?, baseEnvironment: [String: String]) {
        self.recorder = recorder
        self.workspace = workspace
        self.baseEnvironment = baseEnvironment
    }

    /// How many requests could not be recorded (each was answered with the reason).
    public var failureCount: Int { state.withLock { $0.failures } }

    public func handle(_ request: RecorderRequest) -> RecorderReply {
        do {
            switch request {
            case .event(let draft):
                return .ok(try record(draft))
            case .execBegin(let argv, _):
                // Whatever changed since the last look happened outside any recorded command.
                try recordChanges(cause: nil)
                let id = state.withLock { state -> UInt64 in
                    let id = state.nextExecID
                    state.nextExecID += 1
                    state.openExecs[id] = argv
                    return id
                }
                return .ok(id)
            case .execEnd(let begin, var data, let blobs):
                let known = state.withLock { $0.openExecs.removeValue(forKey: begin) != nil }
                guard known else { throw HostFailure("exec.end names command \(begin), which has no exec.begin") }
                if let full = data["env"]?.objectValue {
                    data["env"] = .object(environmentDelta(full))
                }
                let seq = try record(EventDraft(kind: .processExec, actor: .agent, data: data, blobs: blobs))
                try recordChanges(cause: seq)
                return .ok(seq)
            }
        } catch {
            state.withLock { $0.failures += 1 }
            return .failed("\(error)")
        }
    }

    /// Records changes the tracker sees now and no event described; returns how many it recorded.
    @discardableResult
    public func recordChanges(cause: UInt64?) throws -> Int {
        guard let workspace else { return 0 }
        var recorded = 0
        for var change in try workspace.changesSinceLastScan() where !isDescribed(change) {
            change.cause = cause
            try record(change)
            recorded += 1
        }
        return recorded
    }

    @discardableResult
    private func record(_ draft: EventDraft) throws -> UInt64 {
        _ = try EventPayload(kind: draft.kind, data: draft.data)
        let seq = try recorder.record(draft)
        if let path = draft.data["path"]?.stringValue {
            if draft.kind == .fileWrite, let after = draft.data["after"]?.stringValue.flatMap({ Digest($0) }) {
                state.withLock { $0.described[path] = .some(after) }
            } else if draft.kind == .fileDelete {
                state.withLock { $0.described[path] = .some(nil) }
            }
        }
        return seq
    }

    /// True when an earlier event already described exactly this change (same path, same result).
    private func isDescribed(_ change: EventDraft) -> Bool {
        guard let path = change.data["path"]?.stringValue else { return false }
        return state.withLock { state -> Bool in
            guard let described = state.described[path] else { return false }
            let matches: Bool
            if change.kind == .fileDelete {
                matches = described == nil
            } else {
                matches = described != nil && described == change.data["after"]?.stringValue.flatMap { Digest($0) }
            }
            if matches { state.described[path] = nil }
            return matches
        }
    }

    /// Variables added or changed against the agent's environment, and removed ones as null.
    func environmentDelta(_ full: [String: JSONValue]) -> [String: JSONValue] {
        var delta: [String: JSONValue] = [:]
        for (name, value) in full where baseEnvironment[name] != value.stringValue {
            delta[name] = value
        }
        for name in baseEnvironment.keys where full[name] == nil {
            delta[name] = .null
        }
        return delta
    }
}

struct HostFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
