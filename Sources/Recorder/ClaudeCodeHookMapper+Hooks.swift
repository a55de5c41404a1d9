import TraceModel

extension ClaudeCodeHookMapper {
    /// The events of one payload once the session has started.
    mutating func recordHook(_ payload: ClaudeCodeHookPayload, run: inout Run<some BlobSink>) throws {
        switch payload.hook {
        case .sessionStart(let source, let model, _):
            // The session already has its start: this is a resume, /clear or compaction inside it.
            var data: [String: JSONValue] = ["label": "claude_code.session_start", "author": .string(Self.agentName)]
            if let source { data["text"] = .string(source); data["source"] = .string(source) }
            if let model { data["model"] = .string(model) }
            try run.emit(EventDraft(kind: .annotation, actor: .system, data: data))

        case .userPromptSubmit(let prompt):
            var draft = EventDraft(kind: .message, actor: .user, data: ["role": "user"])
            try placeText(prompt, as: "text", in: &draft, run: run)
            try run.emit(draft)

        case .preToolUse(let use):
            let seq = try recordCall(use, run: &run)
            state.rememberCall(id: use.id, key: ClaudeCodeHookState.callKey(name: use.name, input: use.input), seq: seq)

        case .postToolUse(let use, let response):
            try recordResult(use, output: response, isError: Self.reportsError(response), extra: [:], run: &run)

        case .postToolUseFailure(let use, let error, let isInterrupt):
            var extra: [String: JSONValue] = [:]
            if let isInterrupt { extra["is_interrupt"] = .bool(isInterrupt) }
            try recordResult(use, output: error, isError: true, extra: extra, run: &run)

        case .stop(let stop):
            if let text = stop.lastAssistantMessage {
                var message = EventDraft(kind: .message, actor: .agent, data: ["role": "assistant"])
                try placeText(text, as: "text", in: &message, run: run)
                try run.emit(message)
            }
            var draft = EventDraft(kind: .annotation, actor: .agent, data: ["label": "claude_code.stop", "author": .string(Self.agentName)])
            if let active = stop.stopHookActive { draft.data["stop_hook_active"] = .bool(active) }
            try run.emit(draft)

        case .subagentStop(let stop):
            var draft = EventDraft(kind: .annotation, actor: .agent, data: ["label": "claude_code.subagent_stop", "author": .string(Self.agentName)])
            if let text = stop.lastAssistantMessage { try placeText(text, as: "text", in: &draft, run: run) }
            if let active = stop.stopHookActive { draft.data["stop_hook_active"] = .bool(active) }
            if let id = stop.agentID { draft.data["agent_id"] = .string(id) }
            if let type = stop.agentType { draft.data["agent_type"] = .string(type) }
            if let path = stop.agentTranscriptPath { draft.data["agent_transcript_path"] = .string(path) }
            try run.emit(draft)

        case .sessionEnd(let reason):
            var data = SessionEnd(status: Self.status(forEndReason: reason)).data
            if let reason { data["reason"] = .string(reason) }
            try run.emit(EventDraft(kind: .sessionEnd, actor: .recorder, data: data))
            state.ended = true

        case .notification(let message, let title, let type):
            var draft = EventDraft(kind: .annotation, actor: .system, data: ["label": "claude_code.notification", "author": .string(Self.agentName)])
            try placeText(message, as: "text", in: &draft, run: run)
            if let title { draft.data["title"] = .string(title) }
            if let type { draft.data["notification_type"] = .string(type) }
            try run.emit(draft)

        case .other(let name):
            var draft = EventDraft(kind: .annotation, actor: .system, data: [
                "label": "claude_code.hook", "text": .string(name), "hook_event_name": .string(name), "author": .string(Self.agentName),
            ])
            try place(.object(payload.eventFields), as: "payload", in: &draft, run: run)
            try run.emit(draft)
        }
    }

    /// Claude Code's SessionEnd reasons (`clear`, `logout`, `prompt_input_exit`, `other`) all describe
    /// a session the user ended; the raw reason is kept beside the status.
    static func status(forEndReason reason: String?) -> String { "completed" }

    /// PostToolUse fires after a tool succeeded, so a result is an error only when its response says so.
    static func reportsError(_ response: JSONValue?) -> Bool {
        guard case .object(let object)? = response else { return false }
        return object["is_error"]?.boolValue == true || object["isError"]?.boolValue == true || object["success"]?.boolValue == false
    }

    private func callDraft(_ use: ClaudeCodeHookPayload.ToolUse, run: Run<some BlobSink>) throws -> EventDraft {
        var draft = EventDraft(kind: .toolCall, actor: .agent, data: ["name": .string(use.name)])
        if let id = use.id { draft.data["call_id"] = .string(id) }
        if let input = use.input { try place(input, as: "input", in: &draft, run: run) }
        return draft
    }

    private mutating func recordCall(_ use: ClaudeCodeHookPayload.ToolUse, run: inout Run<some BlobSink>) throws -> UInt64 {
        try run.emit(try callDraft(use, run: run))
    }

    /// The result, after its call when no PreToolUse of that call was seen.
    private mutating func recordResult(
        _ use: ClaudeCodeHookPayload.ToolUse, output: JSONValue?, isError: Bool, extra: [String: JSONValue],
        run: inout Run<some BlobSink>
    ) throws {
        let key = ClaudeCodeHookState.callKey(name: use.name, input: use.input)
        let cause: UInt64
        if let seen = state.takeCall(id: use.id, key: key) {
            cause = seen
        } else {
            cause = try recordCall(use, run: &run)
        }
        var draft = EventDraft(kind: .toolResult, actor: .tool, data: ["name": .string(use.name), "is_error": .bool(isError)], cause: cause)
        if let id = use.id { draft.data["call_id"] = .string(id) }
        if let output { try place(output, as: "output", in: &draft, run: run) }
        draft.data.merge(extra) { current, _ in current }
        try run.emit(draft)
    }

    // MARK: - Inline or blob

    /// Puts `value` in `data[name]`, or, when it is too large or too deep, its redacted canonical
    /// JSON in the blob `name`.
    func place(_ value: JSONValue, as name: String, in draft: inout EventDraft, run: Run<some BlobSink>) throws {
        if Self.fits(value, bytes: options.inlineBytes, depth: options.inlineDepth) {
            draft.data[name] = value
        } else {
            draft.blobs[name] = try run.blobs.put(redactor.redact(value).canonicalBytes())
        }
    }

    /// Puts `text` in `data[name]`; longer text keeps a prefix there, the whole (redacted) text goes
    /// to the blob `name`, and `data["<name>_truncated"]` says so.
    func placeText(_ text: String, as name: String, in draft: inout EventDraft, run: Run<some BlobSink>) throws {
        guard text.utf8.count > options.inlineBytes else {
            draft.data[name] = .string(text)
            return
        }
        draft.data[name] = .string(Self.prefix(of: text, maxBytes: options.inlineBytes))
        draft.data[name + "_truncated"] = .bool(true)
        draft.blobs[name] = try run.blobs.put(Array(redactor.redact(text: text).utf8))
    }

    /// The longest prefix of whole Unicode scalars within `maxBytes` UTF-8 bytes.
    static func prefix(of text: String, maxBytes: Int) -> String {
        var bytes = 0
        var end = text.unicodeScalars.startIndex
        for index in text.unicodeScalars.indices {
            let width = UTF8.width(text.unicodeScalars[index])
            if bytes + width > maxBytes { break }
            bytes += width
            end = text.unicodeScalars.index(after: index)
        }
        return String(text.unicodeScalars[..<end])
    }

    /// Whether `value` is at most `bytes` long as canonical JSON and at most `depth` levels deep.
    static func fits(_ value: JSONValue, bytes: Int, depth: Int) -> Bool {
        func within(_ value: JSONValue, _ level: Int) -> Bool {
            switch value {
            case .array(let items): return level < depth && items.allSatisfy { within($0, level + 1) }
            case .object(let object): return level < depth && object.values.allSatisfy { within($0, level + 1) }
            default: return true
            }
        }
        return within(value, 0) && value.canonicalBytes().count <= bytes
    }
}
