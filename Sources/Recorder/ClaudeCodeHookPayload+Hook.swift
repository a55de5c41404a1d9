import TraceModel

extension ClaudeCodeHookPayload {
    /// The event-specific part of a payload, per `hook_event_name`.
    public enum Hook: Sendable, Hashable {
        /// `source`: `startup`, `resume`, `clear` or `compact`.
        case sessionStart(source: String?, model: String?, agentType: String?)
        case userPromptSubmit(prompt: String)
        case preToolUse(ToolUse)
        case postToolUse(ToolUse, response: JSONValue?)
        /// Newer Claude Code versions report failed tools separately.
        case postToolUseFailure(ToolUse, error: JSONValue?, isInterrupt: Bool?)
        case stop(Stop)
        case subagentStop(Stop)
        /// `reason`: `clear`, `logout`, `prompt_input_exit`, `other`, ...
        case sessionEnd(reason: String?)
        case notification(message: String, title: String?, type: String?)
        /// A hook event this version does not map field by field; its fields stay in `fields`.
        case other(name: String)
    }

    /// A tool invocation as PreToolUse / PostToolUse describe it.
    public struct ToolUse: Sendable, Hashable {
        public var name: String
        /// `tool_input`, any JSON; nil when absent.
        public var input: JSONValue?
        /// `tool_use_id`; older Claude Code versions do not send it.
        public var id: String?

        public init(name: String, input: JSONValue? = nil, id: String? = nil) {
            self.name = name
            self.input = input
            self.id = id
        }
    }

    /// Stop / SubagentStop: the agent (or a subagent) finished responding.
    public struct Stop: Sendable, Hashable {
        public var stopHookActive: Bool?
        public var lastAssistantMessage: String?
        /// SubagentStop only.
        public var agentID: String?
        public var agentType: String?
        public var agentTranscriptPath: String?

        public init(stopHookActive: Bool? = nil, lastAssistantMessage: String? = nil, agentID: String? = nil,
                    agentType: String? = nil, agentTranscriptPath: String? = nil) {
            self.stopHookActive = stopHookActive
            self.lastAssistantMessage = lastAssistantMessage
            self.agentID = agentID
            self.agentType = agentType
            self.agentTranscriptPath = agentTranscriptPath
        }
    }
}

extension ClaudeCodeHookPayload.Hook {
    init(name: String, reading r: ClaudeCodeHookFields) throws(ClaudeCodeHookError) {
        switch name {
        case "SessionStart":
            self = .sessionStart(source: try r.string("source"), model: try r.string("model"), agentType: try r.string("agent_type"))
        case "UserPromptSubmit":
            self = .userPromptSubmit(prompt: try r.string("prompt", required: true)!)
        case "PreToolUse":
            self = .preToolUse(try Self.toolUse(r))
        case "PostToolUse":
            self = .postToolUse(try Self.toolUse(r), response: r.object["tool_response"])
        case "PostToolUseFailure":
            self = .postToolUseFailure(try Self.toolUse(r), error: r.object["error"], isInterrupt: try r.bool("is_interrupt"))
        case "Stop":
            self = .stop(try Self.stop(r))
        case "SubagentStop":
            var stop = try Self.stop(r)
            stop.agentID = try r.string("agent_id")
            stop.agentType = try r.string("agent_type")
            stop.agentTranscriptPath = try r.string("agent_transcript_path")
            self = .subagentStop(stop)
        case "SessionEnd":
            self = .sessionEnd(reason: try r.string("reason"))
        case "Notification":
            self = .notification(message: try r.string("message", required: true)!, title: try r.string("title"),
                                 type: try r.string("notification_type"))
        default:
            self = .other(name: name)
        }
    }

    private static func toolUse(_ r: ClaudeCodeHookFields) throws(ClaudeCodeHookError) -> ClaudeCodeHookPayload.ToolUse {
        let name = try r.string("tool_name", required: true)!
        guard !name.isEmpty else { throw r.invalid("tool_name", "must not be empty") }
        let id = try r.string("tool_use_id")
        if let id, id.isEmpty { throw r.invalid("tool_use_id", "must not be empty") }
        if let id, id.utf8.count > ClaudeCodeHookPayload.maxToolUseIDBytes {
            throw r.invalid("tool_use_id", "is \(id.utf8.count) bytes, over the \(ClaudeCodeHookPayload.maxToolUseIDBytes)-byte limit")
        }
        return ClaudeCodeHookPayload.ToolUse(name: name, input: r.object["tool_input"], id: id)
    }

    private static func stop(_ r: ClaudeCodeHookFields) throws(ClaudeCodeHookError) -> ClaudeCodeHookPayload.Stop {
        ClaudeCodeHookPayload.Stop(stopHookActive: try r.bool("stop_hook_active"),
                                   lastAssistantMessage: try r.string("last_assistant_message"))
    }
}
