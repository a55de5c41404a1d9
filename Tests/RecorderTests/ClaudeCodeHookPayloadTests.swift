import Recorder
import Testing
import TraceModel

@Suite struct ClaudeCodeHookPayloadTests {
    static func bytes(_ object: [String: JSONValue]) -> [UInt8] { JSONValue.object(object).canonicalBytes() }

    static func common(_ event: String, session: String = "b23e5d8a-855f-44c5-95f0-075485a6ffcf") -> [String: JSONValue] {
        ["session_id": .string(session), "hook_event_name": .string(event), "cwd": "/work/repo",
         "transcript_path": "/home/u/.claude/projects/x/s.jsonl", "permission_mode": "default"]
    }

    static func refusal(_ bytes: [UInt8]) -> ClaudeCodeHookError? {
        do {
            _ = try ClaudeCodeHookPayload(parsing: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func commonFieldsAreRead() throws {
        let payload = try ClaudeCodeHookPayload(parsing: Self.bytes(Self.common("SessionStart").merging(["source": "startup"]) { $1 }))
        #expect(payload.sessionID == "b23e5d8a-855f-44c5-95f0-075485a6ffcf")
        #expect(payload.hookEventName == "SessionStart")
        #expect(payload.cwd == "/work/repo")
        #expect(payload.transcriptPath == "/home/u/.claude/projects/x/s.jsonl")
        #expect(payload.permissionMode == "default")
        #expect(payload.hook == .sessionStart(source: "startup", model: nil, agentType: nil))
    }

    @Test func eachDocumentedHookIsTyped() throws {
        func hook(_ event: String, _ extra: [String: JSONValue]) throws -> ClaudeCodeHookPayload.Hook {
            try ClaudeCodeHookPayload(parsing: Self.bytes(Self.common(event).merging(extra) { $1 })).hook
        }
        #expect(try hook("UserPromptSubmit", ["prompt": "fix the bug"]) == .userPromptSubmit(prompt: "fix the bug"))
        let use = ClaudeCodeHookPayload.ToolUse(name: "Bash", input: ["command": "ls"], id: "toolu_01")
        #expect(try hook("PreToolUse", ["tool_name": "Bash", "tool_input": ["command": "ls"], "tool_use_id": "toolu_01"]) == .preToolUse(use))
        #expect(try hook("PostToolUse", ["tool_name": "Bash", "tool_input": ["command": "ls"], "tool_use_id": "toolu_01",
                                         "tool_response": ["stdout": "a.txt"]]) == .postToolUse(use, response: ["stdout": "a.txt"]))
        #expect(try hook("Stop", ["stop_hook_active": false]) == .stop(.init(stopHookActive: false)))
        #expect(try hook("SubagentStop", ["stop_hook_active": true, "agent_id": "a1"])
            == .subagentStop(.init(stopHookActive: true, agentID: "a1")))
        #expect(try hook("SessionEnd", ["reason": "prompt_input_exit"]) == .sessionEnd(reason: "prompt_input_exit"))
        #expect(try hook("Notification", ["message": "Claude needs your permission to use Bash"])
            == .notification(message: "Claude needs your permission to use Bash", title: nil, type: nil))
        #expect(try hook("PreCompact", ["trigger": "auto"]) == .other(name: "PreCompact"))
    }

    @Test func unknownHookKeepsItsFields() throws {
        let payload = try ClaudeCodeHookPayload(parsing: Self.bytes(Self.common("PermissionRequest").merging(["tool_name": "Bash", "x": 1]) { $1 }))
        #expect(payload.hook == .other(name: "PermissionRequest"))
        #expect(payload.eventFields == ["tool_name": "Bash", "x": 1])
    }

    @Test func notJSONIsRefusedWithItsOffset() throws {
        let error = try #require(Self.refusal(Array("session_id=abc".utf8)))
        #expect(error.code == .notJSON)
        #expect(error.offset == 0)
        let truncated = try #require(Self.refusal(Array(#"{"session_id":"abc","hook_event_name":"Sto"#.utf8)))
        #expect(truncated.code == .notJSON)
        #expect(try #require(Self.refusal([])).code == .notJSON)
    }

    @Test func invalidUTF8IsRefused() throws {
        var bytes = Array(#"{"session_id":"ab"#.utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array(#"","hook_event_name":"Stop"}"#.utf8)
        let error = try #require(Self.refusal(bytes))
        #expect(error.code == .notJSON)
        #expect(error.offset == 17)
        #expect(error.description.contains("UTF-8"))
    }

    @Test func nonObjectsAreRefused() throws {
        for text in ["[1,2]", "\"SessionStart\"", "null", "42"] {
            let error = try #require(Self.refusal(Array(text.utf8)))
            #expect(error.code == .notObject, "\(text)")
        }
    }

    @Test func hugeInputIsRefusedBeforeParsing() throws {
        let bytes = [UInt8](repeating: 0x20, count: ClaudeCodeHookPayload.maxBytes + 1)
        let error = try #require(Self.refusal(bytes))
        #expect(error.code == .tooLarge)
        #expect(error.description.contains("\(ClaudeCodeHookPayload.maxBytes)"))
    }

    @Test func deepNestingIsRefused() throws {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        let text = #"{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"X","tool_input":"# + deep + "}"
        #expect(try #require(Self.refusal(Array(text.utf8))).code == .notJSON)
    }

    @Test func missingSessionIDIsNamed() throws {
        var fields = Self.common("Stop")
        fields["session_id"] = nil
        let error = try #require(Self.refusal(Self.bytes(fields)))
        #expect(error.code == .missingField)
        #expect(error.field == "session_id")
        #expect(error.description.contains("\"session_id\""))
        fields["session_id"] = .null
        #expect(try #require(Self.refusal(Self.bytes(fields))).code == .missingField)
    }

    @Test func badSessionIDsAreRefused() throws {
        var fields = Self.common("Stop")
        fields["session_id"] = 12
        let wrongType = try #require(Self.refusal(Self.bytes(fields)))
        #expect(wrongType.code == .wrongType)
        #expect(wrongType.message == "expected string, got integer")
        fields["session_id"] = ""
        #expect(try #require(Self.refusal(Self.bytes(fields))).code == .invalidValue)
        fields["session_id"] = .string(String(repeating: "a", count: ClaudeCodeHookPayload.maxSessionIDBytes + 1))
        #expect(try #require(Self.refusal(Self.bytes(fields))).code == .invalidValue)
    }

    @Test func eventFieldErrorsNameFieldHookAndSession() throws {
        let missing = try #require(Self.refusal(Self.bytes(Self.common("PreToolUse", session: "s-1").merging(["tool_input": [:]]) { $1 })))
        #expect(missing.code == .missingField)
        #expect(missing.field == "tool_name")
        #expect(missing.hookEventName == "PreToolUse")
        #expect(missing.sessionID == "s-1")
        #expect(missing.description == "Claude Code hook payload (PreToolUse), field \"tool_name\": required field is missing")

        let wrong = try #require(Self.refusal(Self.bytes(Self.common("UserPromptSubmit").merging(["prompt": ["text": "hi"]]) { $1 })))
        #expect(wrong.code == .wrongType)
        #expect(wrong.field == "prompt")
        #expect(wrong.message == "expected string, got object")

        let flag = try #require(Self.refusal(Self.bytes(Self.common("Stop").merging(["stop_hook_active": "yes"]) { $1 })))
        #expect(flag.field == "stop_hook_active")

        let cwd = try #require(Self.refusal(Self.bytes(Self.common("Stop").merging(["cwd": 7]) { $1 })))
        #expect(cwd.field == "cwd")

        let emptyName = try #require(Self.refusal(Self.bytes(Self.common("PostToolUse").merging(["tool_name": ""]) { $1 })))
        #expect(emptyName.code == .invalidValue)
        #expect(emptyName.field == "tool_name")

        let notification = try #require(Self.refusal(Self.bytes(Self.common("Notification"))))
        #expect(notification.field == "message")

        let noEvent = try #require(Self.refusal(Self.bytes(["session_id": "s-2"])))
        #expect(noEvent.field == "hook_event_name")
        #expect(noEvent.sessionID == "s-2")
    }
}
