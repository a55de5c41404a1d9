import Recorder
import Testing
import TraceModel

/// Appends drafts in memory and hands out seqs like a session recorder would.
final class ClaudeCodeDraftLog {
    var drafts: [EventDraft] = []
    func record(_ draft: EventDraft) -> UInt64 {
        drafts.append(draft)
        return UInt64(drafts.count - 1)
    }
}

@Suite struct ClaudeCodeHookMapperTests {
    static let claudeID = "6f1d0c52-2a8b-4c43-9d0e-0d5b1c6e2f11"

    static func payload(_ event: String, _ extra: [String: JSONValue] = [:], mode: String = "default") throws -> ClaudeCodeHookPayload {
        var fields: [String: JSONValue] = ["session_id": .string(claudeID), "hook_event_name": .string(event), "cwd": "/work/repo",
                                           "transcript_path": "/home/u/.claude/projects/repo/s.jsonl", "permission_mode": .string(mode)]
        fields.merge(extra) { $1 }
        return try ClaudeCodeHookPayload(parsing: JSONValue.object(fields).canonicalBytes())
    }

    /// A mapper for a fresh session, its log, and a blob sink.
    final class Harness {
        var mapper = ClaudeCodeHookMapper(state: ClaudeCodeHookState(claudeSessionID: ClaudeCodeHookMapperTests.claudeID, session: .generate()))
        let log = ClaudeCodeDraftLog()
        let blobs = MemoryBlobSink()

        init(options: ClaudeCodeHookMapper.Options = .init()) { mapper.options = options }

        @discardableResult
        func map(_ event: String, _ extra: [String: JSONValue] = [:], mode: String = "default") throws -> [ClaudeCodeHookMapper.Recorded] {
            let recorded = try mapper.map(try ClaudeCodeHookMapperTests.payload(event, extra, mode: mode), blobs: blobs, record: log.record)
            for item in recorded { _ = try EventPayload(kind: item.draft.kind, data: item.draft.data) }  // every draft is a valid v1 event
            return recorded
        }
    }

    @Test func sessionStartIsSeqZeroWithLabels() throws {
        let h = Harness()
        let recorded = try h.map("SessionStart", ["source": "startup", "model": "claude-sonnet-4-6"])
        #expect(recorded.count == 1)
        #expect(recorded[0].seq == 0)
        let draft = recorded[0].draft
        #expect(draft.kind == .sessionStart)
        guard case .sessionStart(let start) = try EventPayload(kind: draft.kind, data: draft.data) else { Issue.record("not a start"); return }
        #expect(start.agentName == "claude-code")
        #expect(start.cwd == "/work/repo")
        #expect(start.labels == ["source": "startup", "permission_mode": "default", "transcript_path": "/home/u/.claude/projects/repo/s.jsonl",
                                 "claude_session_id": Self.claudeID, "model": "claude-sonnet-4-6"])
        #expect(h.mapper.state.started)
    }

    @Test func laterSessionStartIsAnAnnotation() throws {
        let h = Harness()
        try h.map("SessionStart", ["source": "startup"])
        let recorded = try h.map("SessionStart", ["source": "compact"])
        #expect(recorded.map(\.draft.kind) == [.annotation])
        #expect(recorded[0].draft.data["label"] == "claude_code.session_start")
        #expect(recorded[0].draft.data["text"] == "compact")
    }

    @Test func firstPayloadOtherThanStartSynthesizesOne() throws {
        let h = Harness()
        let recorded = try h.map("UserPromptSubmit", ["prompt": "hello"])
        #expect(recorded.map(\.draft.kind) == [.sessionStart, .recorderNotice, .message])
        #expect(recorded.map(\.seq) == [0, 1, 2])
        let labels = recorded[0].draft.data["labels"]
        #expect(labels?["started_by"] == "UserPromptSubmit")
        #expect(labels?["source"] == nil)
        #expect(recorded[1].draft.data["code"] == "gap")
        #expect(recorded[1].draft.actor == .recorder)
    }

    @Test func promptIsAUserMessage() throws {
        let h = Harness()
        try h.map("SessionStart")
        let recorded = try h.map("UserPromptSubmit", ["prompt": "Please fix the failing test"])
        #expect(recorded.count == 1)
        #expect(recorded[0].draft.kind == .message)
        #expect(recorded[0].draft.actor == .user)
        #expect(recorded[0].draft.data == ["role": "user", "text": "Please fix the failing test"])
    }

    @Test func preThenPostToolUseLinksResultToCall() throws {
        let h = Harness()
        try h.map("SessionStart")
        let call = try h.map("PreToolUse", ["tool_name": "Bash", "tool_input": ["command": "ls -la"], "tool_use_id": "toolu_01A"])
        #expect(call.count == 1)
        #expect(call[0].draft.kind == .toolCall)
        #expect(call[0].draft.actor == .agent)
        #expect(call[0].draft.data == ["name": "Bash", "call_id": "toolu_01A", "input": ["command": "ls -la"]])
        #expect(h.mapper.state.calls == ["toolu_01A": call[0].seq])

        let result = try h.map("PostToolUse", ["tool_name": "Bash", "tool_input": ["command": "ls -la"], "tool_use_id": "toolu_01A",
                                                "tool_response": ["stdout": "a.txt", "stderr": "", "interrupted": false]])
        #expect(result.count == 1)
        #expect(result[0].draft.kind == .toolResult)
        #expect(result[0].draft.actor == .tool)
        #expect(result[0].draft.cause == call[0].seq)
        #expect(result[0].draft.data == ["name": "Bash", "call_id": "toolu_01A", "is_error": false,
                                         "output": ["stdout": "a.txt", "stderr": "", "interrupted": false]])
        #expect(h.mapper.state.calls.isEmpty)
    }

    @Test func postToolUseWithoutSeenCallRecordsTheCallFirst() throws {
        let h = Harness()
        try h.map("SessionStart")
        let recorded = try h.map("PostToolUse", ["tool_name": "Read", "tool_input": ["file_path": "/a"], "tool_use_id": "toolu_9",
                                                  "tool_response": "contents"])
        #expect(recorded.map(\.draft.kind) == [.toolCall, .toolResult])
        #expect(recorded[0].draft.data == ["name": "Read", "call_id": "toolu_9", "input": ["file_path": "/a"]])
        #expect(recorded[1].draft.cause == recorded[0].seq)
        #expect(recorded[1].draft.data["output"] == "contents")
        #expect(h.mapper.state.calls.isEmpty)
    }

    @Test func callsWithoutIDsAreMatchedByNameAndInput() throws {
        let h = Harness()
        try h.map("SessionStart")
        let first = try h.map("PreToolUse", ["tool_name": "Bash", "tool_input": ["command": "make"]])
        let second = try h.map("PreToolUse", ["tool_name": "Bash", "tool_input": ["command": "make test"]])
        let secondResult = try h.map("PostToolUse", ["tool_name": "Bash", "tool_input": ["command": "make test"], "tool_response": "ok"])
        let firstResult = try h.map("PostToolUse", ["tool_name": "Bash", "tool_input": ["command": "make"], "tool_response": "ok"])
        #expect(secondResult.count == 1)
        #expect(secondResult[0].draft.cause == second[0].seq)
        #expect(firstResult[0].draft.cause == first[0].seq)
        #expect(firstResult[0].draft.data["call_id"] == nil)
        #expect(h.mapper.state.pendingCallCount == 0)
    }

    @Test func errorsComeFromTheResponseOrTheFailureHook() throws {
        let h = Harness()
        try h.map("SessionStart")
        let flagged = try h.map("PostToolUse", ["tool_name": "mcp__db__query", "tool_use_id": "t1", "tool_response": ["isError": true, "content": "boom"]])
        #expect(flagged.last?.draft.data["is_error"] == true)
        let failed = try h.map("PostToolUseFailure", ["tool_name": "Bash", "tool_use_id": "t2", "tool_input": ["command": "false"],
                                                       "error": "Command failed with exit code 1", "is_interrupt": false])
        #expect(failed.map(\.draft.kind) == [.toolCall, .toolResult])
        #expect(failed[1].draft.data["is_error"] == true)
        #expect(failed[1].draft.data["output"] == "Command failed with exit code 1")
        #expect(failed[1].draft.data["is_interrupt"] == false)
        let fine = try h.map("PostToolUse", ["tool_name": "Write", "tool_use_id": "t3", "tool_response": ["success": true]])
        #expect(fine.last?.draft.data["is_error"] == false)
        let refused = try h.map("PostToolUse", ["tool_name": "Write", "tool_use_id": "t4", "tool_response": ["success": false]])
        #expect(refused.last?.draft.data["is_error"] == true)
    }

    @Test func stopIsAnAnnotationAfterTheLastAssistantMessage() throws {
        let h = Harness()
        try h.map("SessionStart")
        let plain = try h.map("Stop", ["stop_hook_active": false])
        #expect(plain.count == 1)
        #expect(plain[0].draft.kind == .annotation)
        #expect(plain[0].draft.actor == .agent)
        #expect(plain[0].draft.data == ["label": "claude_code.stop", "author": "claude-code", "stop_hook_active": false])
        let withText = try h.map("Stop", ["stop_hook_active": true, "last_assistant_message": "Done: the tests pass."])
        #expect(withText.map(\.draft.kind) == [.message, .annotation])
        #expect(withText[0].draft.data == ["role": "assistant", "text": "Done: the tests pass."])
    }

    @Test func subagentStopIsAnAnnotation() throws {
        let h = Harness()
        try h.map("SessionStart")
        let recorded = try h.map("SubagentStop", ["stop_hook_active": false, "agent_id": "a-7", "agent_type": "Explore",
                                                   "agent_transcript_path": "/t/a-7.jsonl", "last_assistant_message": "found it"])
        #expect(recorded.count == 1)
        #expect(recorded[0].draft.data == ["label": "claude_code.subagent_stop", "author": "claude-code", "stop_hook_active": false,
                                           "agent_id": "a-7", "agent_type": "Explore", "agent_transcript_path": "/t/a-7.jsonl",
                                           "text": "found it"])
    }

    @Test func sessionEndEndsTheSession() throws {
        let h = Harness()
        try h.map("SessionStart")
        let recorded = try h.map("SessionEnd", ["reason": "prompt_input_exit"])
        #expect(recorded.count == 1)
        #expect(recorded[0].draft.kind == .sessionEnd)
        #expect(recorded[0].draft.data == ["status": "completed", "reason": "prompt_input_exit"])
        #expect(h.mapper.state.ended)
        let noReason = Harness()
        let only = try noReason.map("SessionEnd")
        #expect(only.map(\.draft.kind) == [.sessionStart, .recorderNotice, .sessionEnd])
        #expect(only[2].draft.data == ["status": "completed"])
    }

    @Test func notificationIsAnAnnotation() throws {
        let h = Harness()
        try h.map("SessionStart")
        let recorded = try h.map("Notification", ["message": "Claude needs your permission to use Bash", "title": "Claude Code",
                                                   "notification_type": "permission_prompt"])
        #expect(recorded.count == 1)
        #expect(recorded[0].draft.actor == .system)
        #expect(recorded[0].draft.data == ["label": "claude_code.notification", "author": "claude-code",
                                           "text": "Claude needs your permission to use Bash", "title": "Claude Code",
                                           "notification_type": "permission_prompt"])
    }

    @Test func unknownHooksKeepTheirFields() throws {
        let h = Harness()
        try h.map("SessionStart")
        let recorded = try h.map("PreCompact", ["trigger": "manual", "custom_instructions": "keep the plan"])
        #expect(recorded.count == 1)
        #expect(recorded[0].draft.kind == .annotation)
        #expect(recorded[0].draft.data["label"] == "claude_code.hook")
        #expect(recorded[0].draft.data["hook_event_name"] == "PreCompact")
        #expect(recorded[0].draft.data["payload"] == ["trigger": "manual", "custom_instructions": "keep the plan"])
    }

    @Test func permissionModeChangesAreRecorded() throws {
        let h = Harness()
        try h.map("SessionStart")
        #expect(try h.map("UserPromptSubmit", ["prompt": "a"]).count == 1)
        let changed = try h.map("UserPromptSubmit", ["prompt": "b"], mode: "bypassPermissions")
        #expect(changed.map(\.draft.kind) == [.annotation, .message])
        #expect(changed[0].draft.data["label"] == "claude_code.permission_mode")
        #expect(changed[0].draft.data["text"] == "bypassPermissions")
        #expect(try h.map("UserPromptSubmit", ["prompt": "c"], mode: "bypassPermissions").count == 1)
    }

    @Test func largeValuesGoToRedactedBlobs() throws {
        let h = Harness(options: .init(inlineBytes: 256, inlineDepth: 8))
        try h.map("SessionStart")
        let secret = "sk-ant-" + String(repeating: "A1b2", count: 10)
        let big = String(repeating: "line of output\n", count: 40) + secret
        let recorded = try h.map("PostToolUse", ["tool_name": "Bash", "tool_use_id": "t1", "tool_input": ["command": "cat log"],
                                                  "tool_response": ["stdout": .string(big)]])
        let result = recorded[1].draft
        #expect(result.data["output"] == nil)
        let digest = try #require(result.blobs["output"])
        let stored = try #require(h.blobs.bytes(digest))
        let value = try JSONParser.parse(stored)
        let stdout = try #require(value["stdout"]?.stringValue)
        #expect(stdout.hasPrefix("line of output"))
        #expect(!stdout.contains(secret))
        #expect(stdout.contains("«redacted:"))
        #expect(recorded[0].draft.data["input"] == ["command": "cat log"])

        let prompt = String(repeating: "é", count: 200)  // 400 bytes
        let message = try h.map("UserPromptSubmit", ["prompt": .string(prompt)])[0].draft
        let inline = try #require(message.data["text"]?.stringValue)
        #expect(inline.utf8.count == 256)
        #expect(prompt.hasPrefix(inline))
        #expect(message.data["text_truncated"] == true)
        #expect(h.blobs.bytes(try #require(message.blobs["text"])) == Array(prompt.utf8))
    }

    @Test func deepValuesGoToBlobs() throws {
        let h = Harness(options: .init(inlineBytes: 1 << 20, inlineDepth: 4))
        try h.map("SessionStart")
        let deep: JSONValue = [[[[["x"]]]]]
        let recorded = try h.map("PreToolUse", ["tool_name": "X", "tool_input": deep])
        #expect(recorded[0].draft.data["input"] == nil)
        #expect(h.blobs.bytes(try #require(recorded[0].draft.blobs["input"])) == deep.canonicalBytes())
        let shallow = try h.map("PreToolUse", ["tool_name": "X", "tool_input": [["y"]]])
        #expect(shallow[0].draft.data["input"] == [["y"]])
    }

    @Test func refusedPayloadsBecomeNotices() throws {
        let h = Harness()
        let error = ClaudeCodeHookError(code: .missingField, message: "required field is missing", field: "tool_name",
                                        hookEventName: "PreToolUse", sessionID: Self.claudeID)
        let recorded = try h.mapper.mapRejected(error, fields: ["session_id": .string(Self.claudeID), "hook_event_name": "PreToolUse", "cwd": "/w"],
                                                blobs: h.blobs, record: h.log.record)
        #expect(recorded.map(\.draft.kind) == [.sessionStart, .recorderNotice, .recorderNotice])
        #expect(recorded[0].draft.data["cwd"] == "/w")
        let notice = recorded[2].draft.data
        #expect(notice["code"] == "hook_payload_invalid")
        #expect(notice["details"]?["field"] == "tool_name")
        #expect(notice["details"]?["hook_event_name"] == "PreToolUse")
        for item in recorded { _ = try EventPayload(kind: item.draft.kind, data: item.draft.data) }
    }

    @Test func continuedSessionNamesThePreviousOne() throws {
        let previous = SessionID.generate()
        let state = ClaudeCodeHookState(claudeSessionID: Self.claudeID, session: previous, started: true, ended: true, permissionMode: "plan")
        var mapper = ClaudeCodeHookMapper(state: state.continued(as: .generate()))
        let log = ClaudeCodeDraftLog()
        let recorded = try mapper.map(try Self.payload("UserPromptSubmit", ["prompt": "again"]), blobs: MemoryBlobSink(), record: log.record)
        #expect(recorded.map(\.draft.kind) == [.sessionStart, .message])
        #expect(recorded[0].draft.data["labels"]?["continues"] == .string(previous.string))
        #expect(mapper.state.continues == previous)
        #expect(!mapper.state.ended)
    }

    @Test func pendingCallsAreBounded() throws {
        var state = ClaudeCodeHookState(claudeSessionID: "c", session: .generate())
        for i in 0..<(ClaudeCodeHookState.maxPendingCalls + 10) {
            state.rememberCall(id: "t\(i)", key: "k", seq: UInt64(i + 1))
        }
        #expect(state.pendingCallCount == ClaudeCodeHookState.maxPendingCalls)
        #expect(state.calls["t0"] == nil)
        #expect(state.calls["t\(ClaudeCodeHookState.maxPendingCalls + 9)"] != nil)
    }
}
