/// Why a Claude Code hook payload was refused, and where: the field, the byte offset, and the hook
/// and session it belonged to when those could be read.
public struct ClaudeCodeHookError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The payload could not be read (stdin failed).
        case unreadable
        /// The payload is larger than `ClaudeCodeHookPayload.maxBytes`.
        case tooLarge = "too_large"
        /// Not a JSON document (including invalid UTF-8 and nesting that is too deep).
        case notJSON = "not_json"
        /// Valid JSON, but not an object.
        case notObject = "not_object"
        case missingField = "missing_field"
        case wrongType = "wrong_type"
        /// The right type with an unusable value (an empty session id, a 10 KiB one).
        case invalidValue = "invalid_value"
    }

    public var code: Code
    public var message: String
    /// The payload field at fault, e.g. `tool_name`.
    public var field: String?
    /// Byte offset into the payload (JSON syntax errors).
    public var offset: Int?
    /// `hook_event_name`, when it was readable.
    public var hookEventName: String?
    /// Claude's `session_id`, when it was readable: the error can still be recorded in that session.
    public var sessionID: String?

    public init(code: Code, message: String, field: String? = nil, offset: Int? = nil,
                hookEventName: String? = nil, sessionID: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.offset = offset
        self.hookEventName = hookEventName
        self.sessionID = sessionID
    }

    public var description: String {
        var text = "Claude Code hook payload"
        if let hookEventName { text += " (\(hookEventName))" }
        if let field { text += ", field \"\(field)\"" }
        if let offset { text += ", byte \(offset)" }
        return text + ": " + message
    }
}
