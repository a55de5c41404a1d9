import TraceModel

/// One Claude Code hook payload (the JSON object Claude Code writes to a hook command's stdin),
/// checked field by field. Unknown hook events are kept as `.other`; unknown fields stay in `fields`.
public struct ClaudeCodeHookPayload: Sendable, Hashable {
    /// Larger payloads are refused before parsing.
    public static let maxBytes = 16 << 20
    /// Longer session ids are refused: Claude's are UUIDs, and the id ends up in labels and file names.
    public static let maxSessionIDBytes = 4096
    /// Longer tool call ids are refused (they are kept in the session's hook state until answered).
    public static let maxToolUseIDBytes = 1024
    /// Deeper JSON is refused (it could not be stored as an event anyway).
    public static let maxDepth = 64
    /// The fields every hook event carries.
    public static let commonFields: Set<String> = ["session_id", "transcript_path", "cwd", "permission_mode", "hook_event_name"]

    /// Claude's `session_id`: untrusted text, usually a UUID.
    public var sessionID: String
    public var hookEventName: String
    public var transcriptPath: String?
    public var cwd: String?
    public var permissionMode: String?
    public var hook: Hook
    /// Every field as received, including ones this version does not read.
    public var fields: [String: JSONValue]

    /// Parses and checks a payload as read from stdin.
    public init(parsing bytes: [UInt8]) throws(ClaudeCodeHookError) {
        guard bytes.count <= Self.maxBytes else {
            throw ClaudeCodeHookError(code: .tooLarge, message: "payload is \(bytes.count) bytes, over the \(Self.maxBytes)-byte limit")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, maxDepth: Self.maxDepth)
        } catch {
            throw ClaudeCodeHookError(code: .notJSON, message: error.reason, offset: error.offset)
        }
        guard case .object(let object) = value else {
            throw ClaudeCodeHookError(code: .notObject, message: "expected a JSON object, got \(value.typeName)")
        }
        try self.init(fields: object)
    }

    /// Checks an already parsed payload object.
    public init(fields: [String: JSONValue]) throws(ClaudeCodeHookError) {
        var reader = ClaudeCodeHookFields(fields)
        sessionID = try reader.string("session_id", required: true)!
        guard !sessionID.isEmpty else { throw reader.invalid("session_id", "must not be empty") }
        guard sessionID.utf8.count <= Self.maxSessionIDBytes else {
            throw reader.invalid("session_id", "is \(sessionID.utf8.count) bytes, over the \(Self.maxSessionIDBytes)-byte limit")
        }
        reader.sessionID = sessionID
        hookEventName = try reader.string("hook_event_name", required: true)!
        guard !hookEventName.isEmpty else { throw reader.invalid("hook_event_name", "must not be empty") }
        reader.hookEventName = hookEventName
        transcriptPath = try reader.string("transcript_path")
        cwd = try reader.string("cwd")
        permissionMode = try reader.string("permission_mode")
        hook = try Hook(name: hookEventName, reading: reader)
        self.fields = fields
    }

    /// The fields beyond the common ones (what an unknown hook event carried).
    public var eventFields: [String: JSONValue] { fields.filter { !Self.commonFields.contains($0.key) } }
}

/// Typed reads of payload fields whose errors name the field, the hook and the session.
struct ClaudeCodeHookFields: Sendable {
    let object: [String: JSONValue]
    var sessionID: String?
    var hookEventName: String?

    init(_ object: [String: JSONValue]) { self.object = object }

    func error(_ code: ClaudeCodeHookError.Code, _ field: String, _ message: String) -> ClaudeCodeHookError {
        ClaudeCodeHookError(code: code, message: message, field: field, hookEventName: hookEventName, sessionID: sessionID)
    }

    func invalid(_ field: String, _ message: String) -> ClaudeCodeHookError { error(.invalidValue, field, message) }

    /// A field that is absent or `null` counts as missing.
    func value(_ field: String, required: Bool) throws(ClaudeCodeHookError) -> JSONValue? {
        guard let value = object[field], !value.isNull else {
            if required { throw error(.missingField, field, "required field is missing") }
            return nil
        }
        return value
    }

    func string(_ field: String, required: Bool = false) throws(ClaudeCodeHookError) -> String? {
        guard let value = try value(field, required: required) else { return nil }
        guard case .string(let text) = value else { throw error(.wrongType, field, "expected string, got \(value.typeName)") }
        return text
    }

    func bool(_ field: String) throws(ClaudeCodeHookError) -> Bool? {
        guard let value = try value(field, required: false) else { return nil }
        guard case .bool(let flag) = value else { throw error(.wrongType, field, "expected boolean, got \(value.typeName)") }
        return flag
    }
}
