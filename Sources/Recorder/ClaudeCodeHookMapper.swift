import TraceModel

/// Turns Claude Code hook payloads into events of one Parallax session.
///
/// The mapper owns the session's `ClaudeCodeHookState` (which call ids were seen at which seq) and
/// hands each draft to a `record` function that appends it and returns its seq, so a `tool.result`
/// can name its `tool.call` as `cause`. Mapping choices:
/// - the first payload of a session yields `session.start` (synthesized, followed by a `gap` notice,
///   when that payload is not SessionStart), so seq 0 is always `session.start`;
/// - PostToolUse without a seen PreToolUse yields the `tool.call` first, then the `tool.result`;
/// - Stop and SubagentStop are annotations (`claude_code.stop`, `claude_code.subagent_stop`): they mark
///   the end of a turn rather than carry text; Stop's `last_assistant_message`, when sent, is also an
///   assistant `message`;
/// - Notification is an annotation (`claude_code.notification`): it is Claude Code talking to the user,
///   not part of the conversation the model sees;
/// - hook events this version does not know are annotations (`claude_code.hook`) carrying their fields.
public struct ClaudeCodeHookMapper: Sendable {
    public static let agentName = "claude-code"

    public struct Options: Sendable, Hashable {
        /// Values whose canonical JSON is larger go to a blob (the collector refuses event lines over 1 MiB).
        public var inlineBytes: Int
        /// Values nested deeper go to a blob (event decoders refuse deep nesting).
        public var inlineDepth: Int

        public init(inlineBytes: Int = 64 << 10, inlineDepth: Int = 32) {
            self.inlineBytes = inlineBytes
            self.inlineDepth = inlineDepth
        }
    }

    /// A draft and the seq `record` gave it.
    public struct Recorded: Sendable, Hashable {
        public var seq: UInt64
        public var draft: EventDraft
        public init(seq: UInt64, draft: EventDraft) {
            self.seq = seq
            self.draft = draft
        }
    }

    public var state: ClaudeCodeHookState
    public var options: Options
    /// Applied to values moved to blobs; inline data is redacted by the session recorder.
    public var redactor: Redactor
    /// Notices to record with the next payload (right after `session.start` when the session is new).
    public var pendingNotices: [RecorderNotice] = []

    public init(state: ClaudeCodeHookState, options: Options = .init(), redactor: Redactor = .init()) {
        self.state = state
        self.options = options
        self.redactor = redactor
    }

    /// Records the events `payload` stands for; `record` appends a draft and returns its seq.
    public mutating func map(
        _ payload: ClaudeCodeHookPayload, blobs: some BlobSink, record: (EventDraft) throws -> UInt64
    ) throws -> [Recorded] {
        try withoutActuallyEscaping(record) { record in
            var run = Run(blobs: blobs, record: record)
            try map(payload, run: &run)
            return run.recorded
        }
    }

    private mutating func map(_ payload: ClaudeCodeHookPayload, run: inout Run<some BlobSink>) throws {
        var startConsumed = false
        if !state.started {
            startConsumed = try recordStart(for: payload, run: &run)
        } else if let mode = payload.permissionMode, mode != state.permissionMode {
            state.permissionMode = mode
            try run.emit(EventDraft(kind: .annotation, actor: .system, data: [
                "label": "claude_code.permission_mode", "text": .string(mode), "author": .string(Self.agentName),
            ]))
        }
        try recordPendingNotices(run: &run)
        if !startConsumed { try recordHook(payload, run: &run) }
    }

    /// Records a payload that was refused but names its session, as a `recorder.notice`.
    public mutating func mapRejected(
        _ error: ClaudeCodeHookError, fields: [String: JSONValue], blobs: some BlobSink, record: (EventDraft) throws -> UInt64
    ) throws -> [Recorded] {
        var details: [String: JSONValue] = ["code": .string(error.code.rawValue), "keys": .array(fields.keys.sorted().map { .string($0) })]
        if let name = error.hookEventName { details["hook_event_name"] = .string(name) }
        if let field = error.field { details["field"] = .string(field) }
        pendingNotices.append(RecorderNotice(code: "hook_payload_invalid", message: error.description, details: details))
        return try withoutActuallyEscaping(record) { record in
            var run = Run(blobs: blobs, record: record)
            if !state.started {
                let name = error.hookEventName ?? "an invalid payload"
                try recordStart(cwd: fields["cwd"]?.stringValue, labels: labels(fields, startedBy: name), synthesized: true,
                                hookName: name, run: &run)
            }
            try recordPendingNotices(run: &run)
            return run.recorded
        }
    }

    // MARK: - Session start

    /// Records seq 0; returns whether the payload itself was the SessionStart it came from.
    private mutating func recordStart(for payload: ClaudeCodeHookPayload, run: inout Run<some BlobSink>) throws -> Bool {
        var labels = labels(payload.fields, startedBy: nil)
        let isStart: Bool
        if case .sessionStart(_, let model, let agentType) = payload.hook {
            isStart = true
            labels["model"] = model
            labels["agent_type"] = agentType
        } else {
            isStart = false
            labels["started_by"] = payload.hookEventName
        }
        try recordStart(cwd: payload.cwd, labels: labels, synthesized: !isStart, hookName: payload.hookEventName, run: &run)
        return isStart
    }

    private mutating func recordStart(
        cwd: String?, labels: [String: String], synthesized: Bool, hookName: String, run: inout Run<some BlobSink>
    ) throws {
        var labels = labels
        if let previous = state.continues { labels["continues"] = previous.string }
        let start = SessionStart(agentName: Self.agentName, cwd: cwd, labels: labels)
        try run.emit(EventDraft(kind: .sessionStart, actor: .recorder, data: start.data))
        state.started = true
        state.permissionMode = labels["permission_mode"]
        if synthesized && state.continues == nil {
            pendingNotices.insert(RecorderNotice(
                code: "gap", message: "the first Claude Code hook seen for this session was \(hookName), not SessionStart; "
                    + "what happened before it was not recorded",
                details: ["hook_event_name": .string(hookName)]), at: 0)
        }
    }

    /// Session labels from the common payload fields (only the string-typed ones).
    private func labels(_ fields: [String: JSONValue], startedBy: String?) -> [String: String] {
        var labels: [String: String] = ["claude_session_id": state.claudeSessionID]
        for (field, label) in [("source", "source"), ("permission_mode", "permission_mode"), ("transcript_path", "transcript_path")] {
            if let value = fields[field]?.stringValue { labels[label] = value }
        }
        if let startedBy { labels["started_by"] = startedBy }
        return labels
    }

    private mutating func recordPendingNotices(run: inout Run<some BlobSink>) throws {
        let notices = pendingNotices
        pendingNotices = []
        for notice in notices {
            try run.emit(EventDraft(kind: .recorderNotice, actor: .recorder, data: notice.data))
        }
    }

    /// Collects what one payload recorded.
    struct Run<Sink: BlobSink> {
        let blobs: Sink
        let record: (EventDraft) throws -> UInt64
        var recorded: [Recorded] = []

        @discardableResult
        mutating func emit(_ draft: EventDraft) throws -> UInt64 {
            let seq = try record(draft)
            recorded.append(Recorded(seq: seq, draft: draft))
            return seq
        }
    }
}
